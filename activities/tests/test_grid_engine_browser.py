"""The browser engine loaded as an ES module in headless Chromium runs every vector."""

import pytest

from activities import engine
from activities.tests.test_engine_vectors import VECTORS

pytestmark = pytest.mark.browser

RUN_VECTORS = """
async ({ url, cases }) => {
  const { runProgram } = await import(url);
  return cases.map((testCase) =>
    runProgram(testCase.grid, testCase.program, testCase.limits),
  );
}
"""


def test_chromium_engine_matches_python_engine(page, live_server):
    url = live_server.url + "/static/iota/js/grid-engine.js"
    page.goto(url)
    cases = [
        {
            "grid": vector["grid"],
            "program": vector["program"],
            "limits": vector["limits"],
        }
        for vector in VECTORS.values()
    ]
    results = page.evaluate(RUN_VECTORS, {"url": url, "cases": cases})
    for name, result in zip(VECTORS, results, strict=True):
        vector = VECTORS[name]
        expected = engine.run_program(
            vector["grid"], vector["program"], vector["limits"]
        )
        assert result == expected, name
