"""Schemas of activity content, schema version 1: lesson sheet, quiz, coding challenge.

Every kind shares the fields of `ActivityBase` (key, title, levels, duration, CRCN
competencies) and adds its own. Texts are `Text`: a French original and an optional
English translation, written in a file either as `{fr: …, en: …}` or as a plain string
for French alone. Each field carries a French `title` and `description`, which
`activities.form_description` turns into the authoring form.

The models also check the rules that span fields. The steps of a sheet add up to its
duration, a single-choice question has one right answer, and the reference solution
of a challenge solves its grid. So any content built from them, from a file or from a
form, is valid.
"""

from collections.abc import Sequence
from typing import Annotated, Any, Literal

from django.contrib.staticfiles import finders
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from pydantic import (
    AfterValidator,
    Field,
    SerializationInfo,
    SerializerFunctionWrapHandler,
    ValidationInfo,
    field_validator,
    model_serializer,
    model_validator,
)

from activities import engine, grid_world
from activities.crcn import competencies
from iota import yaml_schema
from iota.yaml_schema import Strict, suggest

SCHEMA_VERSION = 1
LEVELS = ("CP", "CE1", "CE2", "CM1", "CM2")
MAX_HINTS = 5
# A repeat count beyond this is a typo in a challenge for 9 to 11 year olds; the
# engine itself accepts up to engine.MAX_REPEAT_TIMES.
MAX_REPEAT_IN_CONTENT = 50

Slug = Annotated[
    str,
    Field(
        pattern=r"^[a-z0-9]+(?:-[a-z0-9]+)*$",
        min_length=1,
        max_length=80,
        title=gettext_noop("Clé"),
        description=gettext_noop(
            "Identifiant stable : minuscules, chiffres et tirets, comme robot-idiot."
        ),
    ),
]
# Keys of questions, choices and items: stored in pupils' answers, so kept short.
ItemKey = Annotated[str, Field(pattern=r"^[A-Za-z][A-Za-z0-9_]*$", max_length=40)]
Level = Literal["CP", "CE1", "CE2", "CM1", "CM2"]


class Text(yaml_schema.Text):
    """A text with its French original and, optionally, its English translation."""

    @model_validator(mode="before")
    @classmethod
    def _french_shorthand(cls, data: Any) -> Any:
        if isinstance(data, str):
            return {"fr": data}
        return data

    @model_serializer(mode="wrap")
    def _serialize(
        self, handler: SerializerFunctionWrapHandler, info: SerializationInfo
    ) -> Any:
        # Files are easier to read with a French-only text written as a plain string;
        # the database keeps the {fr, en} form so readers need not handle both.
        if info.context and info.context.get("short_text") and self.en is None:
            return self.fr
        return handler(self)

    def get(self, language: str = "fr") -> str:
        """Return the text in `language`, falling back on the French original."""
        if language.startswith("en") and self.en:
            return self.en
        return self.fr


def _known_crcn(code: str) -> str:
    known = competencies()
    if code not in known:
        nearest = suggest(code, list(known))
        reason = _("compétence CRCN inconnue « %(code)s » : choisissez parmi %(codes)s")
        reason %= {"code": code, "codes": ", ".join(known)}
        if nearest:
            reason += _(" (vouliez-vous dire « %(nearest)s » ?)") % {"nearest": nearest}
        raise ValueError(reason)
    return code


CrcnCode = Annotated[str, AfterValidator(_known_crcn)]


def _unique_keys(values: list[Any], what: str) -> None:
    seen: set[str] = set()
    for index, value in enumerate(values):
        if value.key in seen:
            raise ValueError(
                _("la clé « %(key)s » de %(what)s[%(index)s] est déjà prise")
                % {"key": value.key, "what": what, "index": index}
            )
        seen.add(value.key)


class ActivityBase(Strict):
    """Fields every activity has, whatever its kind."""

    schema_version: Literal[1] = Field(title=gettext_noop("Version du schéma"))
    key: Slug
    title: Text = Field(title=gettext_noop("Titre"))
    summary: Text = Field(
        title=gettext_noop("Résumé"),
        description=gettext_noop("Une ou deux phrases pour la bibliothèque."),
    )
    levels: list[Level] = Field(
        min_length=1,
        title=gettext_noop("Niveaux"),
        description=gettext_noop("Les niveaux de classe visés, comme CM1 et CM2."),
    )
    duration_minutes: int = Field(ge=5, le=180, title=gettext_noop("Durée (minutes)"))
    crcn: list[CrcnCode] = Field(
        min_length=1,
        title=gettext_noop("Compétences CRCN"),
        description=gettext_noop("Les codes des compétences travaillées, comme 3.4."),
    )

    @field_validator("levels", "crcn")
    @classmethod
    def _no_repeats(cls, values: list[str]) -> list[str]:
        if len(set(values)) != len(values):
            raise ValueError(_("chaque valeur ne doit apparaître qu’une fois"))
        return values


# Lesson sheets (activités débranchées)


class Step(Strict):
    title: Text = Field(title=gettext_noop("Titre de l’étape"))
    minutes: int = Field(ge=1, le=120, title=gettext_noop("Durée (minutes)"))
    instructions: Text = Field(
        title=gettext_noop("Déroulement"),
        description=gettext_noop("Ce que font l’enseignant·e et les élèves."),
    )
    teacher_says: Text | None = Field(
        default=None,
        title=gettext_noop("Ce que dit l’enseignant·e"),
        description=gettext_noop("Les phrases à dire à la classe, mot pour mot."),
    )


class Variants(Strict):
    easier: Text = Field(title=gettext_noop("Variante plus facile"))
    harder: Text = Field(title=gettext_noop("Variante plus difficile"))


class Handout(Strict):
    title: Text = Field(title=gettext_noop("Titre de la fiche élève"))
    instructions: Text = Field(
        title=gettext_noop("Consigne"),
        description=gettext_noop("Écrite pour un enfant de 9 ans : phrases courtes."),
    )
    tasks: list[Text] = Field(
        min_length=1, max_length=10, title=gettext_noop("Exercices")
    )
    answer_lines: int = Field(
        default=3,
        ge=0,
        le=20,
        title=gettext_noop("Lignes de réponse"),
        description=gettext_noop("Lignes laissées pour écrire sous chaque exercice."),
    )


class UnpluggedContent(ActivityBase):
    """A lesson sheet for an activity done without a screen."""

    kind: Literal["unplugged"] = Field(title=gettext_noop("Type"))
    objectives: list[Text] = Field(min_length=1, title=gettext_noop("Objectifs"))
    materials: list[Text] = Field(min_length=1, title=gettext_noop("Matériel"))
    preparation: Text | None = Field(default=None, title=gettext_noop("Préparation"))
    steps: list[Step] = Field(
        min_length=1,
        max_length=12,
        title=gettext_noop("Étapes"),
        description=gettext_noop("Leurs durées s’additionnent pour faire la durée."),
    )
    variants: Variants = Field(title=gettext_noop("Variantes"))
    trace: Text = Field(
        title=gettext_noop("Trace écrite"),
        description=gettext_noop("Ce que les élèves gardent dans leur cahier."),
    )
    handout: Handout | None = Field(default=None, title=gettext_noop("Fiche élève"))

    @field_validator("steps")
    @classmethod
    def _steps_fill_duration(
        cls, steps: list[Step], info: ValidationInfo
    ) -> list[Step]:
        duration = info.data.get("duration_minutes")
        total = sum(step.minutes for step in steps)
        if duration is not None and total != duration:
            raise ValueError(
                _(
                    "les étapes durent %(total)s minutes en tout mais "
                    "duration_minutes vaut %(duration)s : accordez les deux"
                )
                % {"total": total, "duration": duration}
            )
        return steps


# Quizzes


class Image(Strict):
    static: str = Field(
        pattern=r"^activities/[a-z0-9_/-]+\.(svg|png|jpg)$",
        title=gettext_noop("Image"),
        description=gettext_noop(
            "Chemin du fichier statique, comme activities/images/clavier.svg."
        ),
    )
    alt: Text = Field(
        title=gettext_noop("Texte alternatif"),
        description=gettext_noop("Ce que montre l’image, lu à voix haute."),
    )

    @field_validator("static")
    @classmethod
    def _static_file_exists(cls, path: str) -> str:
        if finders.find(path) is None:
            raise ValueError(
                _(
                    "image introuvable : « %(path)s » n’est dans aucun dossier "
                    "static/ ; ajoutez le fichier ou corrigez le chemin"
                )
                % {"path": path}
            )
        return path


class Feedback(Strict):
    correct: Text | None = Field(default=None, title=gettext_noop("Si c’est juste"))
    wrong: Text | None = Field(default=None, title=gettext_noop("Si c’est faux"))


class QuestionBase(Strict):
    key: ItemKey = Field(title=gettext_noop("Clé de la question"))
    prompt: Text = Field(title=gettext_noop("Question"))
    image: Image | None = Field(default=None, title=gettext_noop("Image"))
    hint: Text | None = Field(default=None, title=gettext_noop("Indice"))
    points: int = Field(default=1, ge=1, le=10, title=gettext_noop("Points"))
    feedback: Feedback | None = Field(
        default=None, title=gettext_noop("Message en retour")
    )


class Choice(Strict):
    key: ItemKey = Field(title=gettext_noop("Clé de la réponse"))
    text: Text = Field(title=gettext_noop("Réponse"))
    correct: bool = Field(default=False, title=gettext_noop("Bonne réponse"))
    feedback: Text | None = Field(
        default=None,
        title=gettext_noop("Message en retour"),
        description=gettext_noop("Montré à l’élève qui choisit cette réponse."),
    )


def _checked_choices(choices: list[Choice]) -> list[Choice]:
    _unique_keys(choices, "choices")
    if not any(choice.correct for choice in choices):
        raise ValueError(
            _("aucune réponse n’a correct: true : marquez la ou les bonnes réponses")
        )
    return choices


class SingleChoice(QuestionBase):
    type: Literal["single_choice"]
    choices: list[Choice] = Field(
        min_length=2, max_length=6, title=gettext_noop("Réponses proposées")
    )

    @field_validator("choices")
    @classmethod
    def _one_correct(cls, choices: list[Choice]) -> list[Choice]:
        _checked_choices(choices)
        correct = sum(choice.correct for choice in choices)
        if correct != 1:
            raise ValueError(
                _(
                    "%(count)s réponses ont correct: true, une seule est permise : "
                    "utilisez type: multiple_choice pour plusieurs bonnes réponses"
                )
                % {"count": correct}
            )
        return choices


class MultipleChoice(QuestionBase):
    type: Literal["multiple_choice"]
    choices: list[Choice] = Field(
        min_length=2, max_length=8, title=gettext_noop("Réponses proposées")
    )

    @field_validator("choices")
    @classmethod
    def _some_correct(cls, choices: list[Choice]) -> list[Choice]:
        return _checked_choices(choices)


class OrderingItem(Strict):
    key: ItemKey = Field(title=gettext_noop("Clé de l’élément"))
    text: Text = Field(title=gettext_noop("Élément"))


class Ordering(QuestionBase):
    type: Literal["ordering"]
    items: list[OrderingItem] = Field(
        min_length=2,
        max_length=8,
        title=gettext_noop("Éléments dans le bon ordre"),
        description=gettext_noop("Le quiz les montre à l’élève dans le désordre."),
    )

    @field_validator("items")
    @classmethod
    def _unique_items(cls, items: list[OrderingItem]) -> list[OrderingItem]:
        _unique_keys(items, "items")
        return items


class Pair(Strict):
    key: ItemKey = Field(title=gettext_noop("Clé de la paire"))
    left: Text = Field(title=gettext_noop("À gauche"))
    right: Text = Field(title=gettext_noop("À droite"))


class Matching(QuestionBase):
    type: Literal["matching"]
    pairs: list[Pair] = Field(
        min_length=2,
        max_length=8,
        title=gettext_noop("Paires à relier"),
        description=gettext_noop("Le quiz mélange la colonne de droite."),
    )

    @field_validator("pairs")
    @classmethod
    def _unique_pairs(cls, pairs: list[Pair]) -> list[Pair]:
        _unique_keys(pairs, "pairs")
        return pairs


class Numeric(QuestionBase):
    type: Literal["numeric"]
    answer: float = Field(title=gettext_noop("Réponse attendue"))
    tolerance: float = Field(
        default=0,
        ge=0,
        title=gettext_noop("Écart accepté"),
        description=gettext_noop("Une réponse à cet écart ou moins est juste."),
    )
    unit: Text | None = Field(default=None, title=gettext_noop("Unité"))


Question = Annotated[
    SingleChoice | MultipleChoice | Ordering | Matching | Numeric,
    Field(discriminator="type"),
]


class QuizContent(ActivityBase):
    """A quiz scored automatically by `activities.quiz_scoring.score_quiz`."""

    kind: Literal["quiz"] = Field(title=gettext_noop("Type"))
    instructions: Text | None = Field(default=None, title=gettext_noop("Consigne"))
    questions: list[Question] = Field(
        min_length=1, max_length=30, title=gettext_noop("Questions")
    )

    @field_validator("questions")
    @classmethod
    def _unique_questions(cls, questions: list[Any]) -> list[Any]:
        _unique_keys(questions, "questions")
        return questions

    def max_points(self) -> int:
        return sum(question.points for question in self.questions)


# Coding challenges

ACTIONS = {
    "move": grid_world.MOVE_FORWARD,
    "left": grid_world.TURN_LEFT,
    "right": grid_world.TURN_RIGHT,
    "collect": grid_world.COLLECT,
}
CONDITIONS = {
    "path_ahead": grid_world.IF_PATH_AHEAD,
    "wall_ahead": grid_world.IF_WALL_AHEAD,
    "item_here": grid_world.IF_ITEM_HERE,
}
# The names a challenge file uses for the engine's block types, in toolbox order.
BLOCK_NAMES = {
    **ACTIONS,
    "repeat": grid_world.REPEAT,
    "until_goal": grid_world.REPEAT_UNTIL_GOAL,
    **{f"if_{condition}": block for condition, block in CONDITIONS.items()},
}
BlockName = Literal[
    "move",
    "left",
    "right",
    "collect",
    "repeat",
    "until_goal",
    "if_path_ahead",
    "if_wall_ahead",
    "if_item_here",
]


class Block(Strict):
    """One block of a program, written `move`, `{repeat: 3, do: […]}`, `{until: goal,
    do: […]}` or `{if: wall_ahead, do: […], else: […]}`."""

    action: Literal["move", "left", "right", "collect"] | None = None
    repeat: int | None = Field(default=None, ge=0, le=MAX_REPEAT_IN_CONTENT)
    until: Literal["goal"] | None = None
    if_: Literal["path_ahead", "wall_ahead", "item_here"] | None = Field(
        default=None, alias="if"
    )
    do: list["Block"] = []
    else_: list["Block"] = Field(default=[], alias="else")

    @model_validator(mode="before")
    @classmethod
    def _action_shorthand(cls, data: Any) -> Any:
        if isinstance(data, str):
            return {"action": data}
        return data

    @model_validator(mode="after")
    def _one_kind(self) -> "Block":
        kinds = [
            name
            for name, value in (
                ("repeat", self.repeat),
                ("until", self.until),
                ("if", self.if_),
            )
            if value is not None
        ]
        if self.action is not None and kinds:
            raise ValueError(
                _("un bloc d’action n’a pas de clé %(key)s") % {"key": kinds[0]}
            )
        if self.action is None and len(kinds) != 1:
            raise ValueError(
                _(
                    "écrivez une action (move, left, right, collect) ou un bloc "
                    "avec une seule des clés repeat, until ou if"
                )
            )
        if self.action is not None and self.do:
            raise ValueError(_("un bloc d’action n’a pas de clé do"))
        if self.else_ and self.if_ is None:
            raise ValueError(_("seul un bloc if peut avoir une clé else"))
        return self

    @model_serializer(mode="plain")
    def _serialize(self) -> Any:
        # Stored and dumped in the notation authors write, which is also the shortest.
        if self.action is not None:
            return self.action
        written: dict[str, Any] = {}
        if self.repeat is not None:
            written["repeat"] = self.repeat
        if self.until is not None:
            written["until"] = self.until
        if self.if_ is not None:
            written["if"] = self.if_
        written["do"] = [block._serialize() for block in self.do]
        if self.else_:
            written["else"] = [block._serialize() for block in self.else_]
        return written

    @property
    def name(self) -> str:
        """Return the block's name in `BLOCK_NAMES`."""
        if self.action is not None:
            return self.action
        if self.repeat is not None:
            return "repeat"
        if self.until is not None:
            return "until_goal"
        return f"if_{self.if_}"

    def walk(self) -> list["Block"]:
        """Return this block and every block inside it, in program order."""
        found = [self]
        for child in [*self.do, *self.else_]:
            found.extend(child.walk())
        return found


def all_blocks(program: list[Block]) -> list[Block]:
    """Return every block of a program, nested ones included, in program order."""
    return [block for top in program for block in top.walk()]


def to_workspace(program: list[Block]) -> dict[str, Any]:
    """Return a program as the workspace JSON that Blockly saves and the engine runs.

    The program hangs under one "when run" block. Block ids are "b1", "b2", … in
    program order and the start block's id is "start".
    """
    ids = iter(range(1, len(all_blocks(program)) + 1))
    start: dict[str, Any] = {
        "type": grid_world.START_BLOCK,
        "id": "start",
        "x": 20,
        "y": 20,
    }
    first = _blockly_chain(program, ids)
    if first is not None:
        start["next"] = {"block": first}
    return {"blocks": {"languageVersion": 0, "blocks": [start]}}


def _blockly_chain(program: list[Block], ids: Any) -> dict[str, Any] | None:
    blocks = [_blockly_block(block, ids) for block in program]
    for previous, following in zip(blocks, blocks[1:], strict=False):
        previous["next"] = {"block": following}
    return blocks[0] if blocks else None


def _blockly_block(block: Block, ids: Any) -> dict[str, Any]:
    written: dict[str, Any] = {"type": BLOCK_NAMES[block.name], "id": f"b{next(ids)}"}
    if block.repeat is not None:
        written["fields"] = {"TIMES": block.repeat}
    inputs = {}
    for input_name, body in (("DO", block.do), ("ELSE", block.else_)):
        first = _blockly_chain(body, ids)
        if first is not None:
            inputs[input_name] = {"block": first}
    if inputs:
        written["inputs"] = inputs
    return written


class CodingContent(ActivityBase):
    """A coding challenge: a grid world, the blocks a pupil may use and a solution."""

    kind: Literal["coding"] = Field(title=gettext_noop("Type"))
    concept: Literal["sequence", "loop", "condition"] = Field(
        title=gettext_noop("Notion"),
        description=gettext_noop("Séquence, boucle ou condition."),
    )
    instructions: Text = Field(title=gettext_noop("Consigne"))
    grid: dict[str, Any] = Field(
        title=gettext_noop("Grille"),
        description=gettext_noop(
            "Cases : # mur, . libre, S départ, G arrivée, X obstacle."
        ),
    )
    allowed_blocks: list[BlockName] = Field(
        min_length=1, title=gettext_noop("Blocs permis")
    )
    max_blocks: int | None = Field(
        default=None,
        ge=1,
        le=grid_world.MAX_PROGRAM_BLOCKS,
        title=gettext_noop("Nombre maximal de blocs"),
    )
    max_steps: int | None = Field(
        default=None,
        ge=1,
        le=grid_world.MAX_STEPS,
        title=gettext_noop("Nombre maximal de pas"),
    )
    starting_blocks: list[Block] = Field(
        default=[], title=gettext_noop("Blocs de départ")
    )
    hints: list[Text] = Field(
        default=[], max_length=MAX_HINTS, title=gettext_noop("Indices")
    )
    solution: list[Block] = Field(
        min_length=1,
        title=gettext_noop("Solution de référence"),
        description=gettext_noop("Elle doit résoudre le défi dans les limites."),
    )

    @field_validator("grid")
    @classmethod
    def _valid_grid(cls, grid: dict[str, Any]) -> dict[str, Any]:
        try:
            grid_world.validate_grid(grid)
        except grid_world.ChallengeError as error:
            raise ValueError(str(error)) from error
        return grid

    @field_validator("allowed_blocks")
    @classmethod
    def _unique_blocks(cls, names: list[str]) -> list[str]:
        if len(set(names)) != len(names):
            raise ValueError(_("chaque bloc ne doit apparaître qu’une fois"))
        return names

    @field_validator("starting_blocks", "solution")
    @classmethod
    def _uses_allowed_blocks(
        cls, program: list[Block], info: ValidationInfo
    ) -> list[Block]:
        allowed = info.data.get("allowed_blocks")
        if allowed is not None:
            for block in all_blocks(program):
                if block.name not in allowed:
                    raise ValueError(
                        _(
                            "le bloc %(name)s n’est pas dans allowed_blocks : "
                            "ajoutez-le ou retirez-le du programme"
                        )
                        % {"name": block.name}
                    )
        max_blocks = info.data.get("max_blocks")
        count = len(all_blocks(program))
        if max_blocks is not None and count > max_blocks:
            raise ValueError(
                _("le programme a %(count)s blocs, plus que max_blocks (%(max)s)")
                % {"count": count, "max": max_blocks}
            )
        if (
            info.field_name == "solution"
            and {"grid", "allowed_blocks"} <= info.data.keys()
        ):
            _check_solution(program, info.data)
        return program

    def limits(self) -> dict[str, Any]:
        """Return the limits in the form `activities.engine.run_program` takes."""
        return engine_limits(self.allowed_blocks, self.max_blocks, self.max_steps)

    def toolbox_blocks(self) -> list[str]:
        """Return the Blockly block types of the toolbox, in toolbox order."""
        return [
            block for name, block in BLOCK_NAMES.items() if name in self.allowed_blocks
        ]

    def starting_workspace(self) -> dict[str, Any]:
        return to_workspace(self.starting_blocks)

    def solution_workspace(self) -> dict[str, Any]:
        return to_workspace(self.solution)


def engine_limits(
    allowed_blocks: Sequence[str], max_blocks: int | None, max_steps: int | None
) -> dict[str, Any]:
    """Return a challenge's limits in the form `activities.engine.run_program` takes."""
    return {
        "allowed_blocks": [BLOCK_NAMES[name] for name in allowed_blocks],
        "max_blocks": max_blocks,
        "max_steps": max_steps,
    }


def _check_solution(solution: list[Block], fields: dict[str, Any]) -> None:
    limits = engine_limits(
        fields["allowed_blocks"], fields.get("max_blocks"), fields.get("max_steps")
    )
    result = engine.run_program(fields["grid"], to_workspace(solution), limits)
    if result["outcome"] != "success":
        raise ValueError(
            _(
                "la solution de référence ne résout pas le défi (résultat "
                "%(outcome)s après %(steps)s pas) : corrigez la solution ou la grille"
            )
            % {"outcome": result["outcome"], "steps": result["steps"]}
        )


ActivityContent = UnpluggedContent | QuizContent | CodingContent
CONTENT_MODELS: dict[str, type[UnpluggedContent | QuizContent | CodingContent]] = {
    "unplugged": UnpluggedContent,
    "quiz": QuizContent,
    "coding": CodingContent,
}
