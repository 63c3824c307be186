// Runs cases through static/iota/js/grid-engine.js for the Python tests.
// Usage: node run_grid_engine.mjs ENGINE_PATH < cases.json > results.json
// Each case is {"grid", "program", "limits"}. The output lists one result per case.
import { readFileSync } from "node:fs";

// The repository's package.json does not declare "type": "module", so Node loads a
// .js path as CommonJS first (Node 20.20 then reparses it as a module, with a warning).
// A data: URL is always loaded as an ES module.
const source = readFileSync(process.argv[2], "utf8");
const url = `data:text/javascript;base64,${Buffer.from(source).toString("base64")}`;
const { runProgram } = await import(url);

const cases = JSON.parse(readFileSync(0, "utf8"));
const results = cases.map((testCase) =>
  runProgram(testCase.grid, testCase.program, testCase.limits),
);
process.stdout.write(JSON.stringify(results));
