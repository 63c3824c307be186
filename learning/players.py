"""The data the quiz and coding players receive, built from a published version.

The players get what they need to show an activity and nothing that gives its
answers away. A quiz has no `correct` flag, no expected number and no feedback
before the answers are sent. Its choices and items carry the opaque ids of a
`QuizLayout` in place of the content's keys, and its ordering items and both columns
of a matching question are shuffled. A challenge has no reference solution.
"""

from typing import Any

from django.templatetags.static import static
from django.urls import reverse
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _

from activities import grid_world
from activities.models import ActivityVersion
from activities.quiz_scoring import QuizScore
from activities.schemas import (
    CodingContent,
    Matching,
    MultipleChoice,
    Numeric,
    Ordering,
    QuizContent,
    SingleChoice,
    Text,
)
from learning.models import Assignment, Attempt, PupilProfile
from learning.quiz_layout import QuizLayout


def _text(text: Text | None) -> dict[str, str] | None:
    if text is None:
        return None
    language = "en" if (get_language() or "fr").startswith("en") and text.en else "fr"
    return {"text": text.get(language), "lang": language}


def accommodations_payload(profile: PupilProfile) -> dict[str, bool]:
    return {
        "readAloud": profile.read_aloud,
        "largerText": profile.larger_text,
        "dyslexiaFont": profile.dyslexia_font,
    }


def _queue_strings() -> dict[str, str]:
    return {
        "sending": _("Tes réponses partent… Laisse cette page ouverte."),
        "offline": _(
            "Pas de réseau. Tes réponses sont gardées et partiront quand il reviendra."
        ),
        "signedOut": _(
            "Tu n’es plus connecté. Demande de l’aide à ton enseignant ou ton "
            "enseignante."
        ),
        "home": _("Retour à l’accueil"),
        "listen": _("Écouter"),
    }


def _common(assignment: Assignment, profile: PupilProfile) -> dict[str, Any]:
    return {
        "assignmentId": assignment.pk,
        "attemptUrl": reverse("learning:attempts-api", args=[assignment.pk]),
        "todayUrl": reverse("assessment:pupil-today"),
        "accommodations": accommodations_payload(profile),
    }


# Quizzes.


def _question_payload(question: Any, layout: QuizLayout) -> dict[str, Any]:
    payload: dict[str, Any] = {
        "key": question.key,
        "type": question.type,
        "prompt": _text(question.prompt),
        "hint": _text(question.hint),
        "points": question.points,
        "image": {
            "url": static(question.image.static),
            "alt": _text(question.image.alt),
        }
        if question.image
        else None,
    }
    if isinstance(question, SingleChoice | MultipleChoice):
        # Choices keep the author's order, which may end on "none of these".
        payload["choices"] = [
            {
                "id": layout.item_id(question.key, "choice", choice.key),
                **(_text(choice.text) or {}),
            }
            for choice in question.choices
        ]
    elif isinstance(question, Ordering):
        payload["items"] = [
            {
                "id": layout.item_id(question.key, "item", item.key),
                **(_text(item.text) or {}),
            }
            for item in layout.shuffled(question.key, "item", question.items)
        ]
    elif isinstance(question, Matching):
        left, right = layout.matching_columns(question)
        payload["left"] = [
            {
                "id": layout.item_id(question.key, "left", pair.key),
                **(_text(pair.left) or {}),
            }
            for pair in left
        ]
        payload["right"] = [
            {
                "id": layout.item_id(question.key, "right", pair.key),
                **(_text(pair.right) or {}),
            }
            for pair in right
        ]
    elif isinstance(question, Numeric):
        payload["unit"] = _text(question.unit)
    return payload


def question_results(score: QuizScore | None) -> list[dict[str, Any]]:
    """Return each question's status, points and feedback texts for the player."""
    if score is None:
        return []
    return [
        {
            "key": question.key,
            "status": question.status,
            "points": question.points,
            "maxPoints": question.max_points,
            "feedback": [_text(text) for text in question.feedback],
        }
        for question in score.questions
    ]


def _plural_forms(singular: str, plural: str) -> dict[str, str]:
    """Return a message's CLDR "one" and "other" forms, for Intl.PluralRules.

    French and English have only these two forms. French takes "one" below 2, so
    0, 1 and 1.5 points are singular.
    """
    return {
        "one": ngettext(singular, plural, 1),
        "other": ngettext(singular, plural, 2),
    }


def quiz_strings() -> dict[str, Any]:
    return {
        **_queue_strings(),
        "start": _("C’est parti !"),
        "back": _("Retour"),
        "next": _("Suivant"),
        "finish": _("J’ai fini"),
        "progress": _("Avancement"),
        "questionOf": _("Question {number} sur {total}"),
        "several": _("Il peut y avoir plusieurs bonnes réponses."),
        "orderHelp": _("Touche les phrases dans le bon ordre."),
        "orderClear": _("Recommencer"),
        "matchHelp": _("Touche un mot à gauche, puis ce qui va avec à droite."),
        "pairedWith": _("(avec « {text} »)"),
        "numberLabel": _("Ta réponse"),
        "hint": _("Un indice"),
        "endTitle": _("Bravo, tu as fini !"),
        "score": _plural_forms(
            "Tu as {score} point sur {total}.", "Tu as {score} points sur {total}."
        ),
        "lastResult": _plural_forms(
            "La dernière fois, tu as eu {score} point sur {total}.",
            "La dernière fois, tu as eu {score} points sur {total}.",
        ),
        "unanswered": _plural_forms(
            "Il te reste {count} question sans réponse.",
            "Il te reste {count} questions sans réponse.",
        ),
        "finishAnyway": _("Finir quand même"),
        "waitingScore": _("Ton score arrive dès que tes réponses sont parties."),
        "replay": _("Recommencer le quiz"),
        "right": _("Juste"),
        "wrong": _("Pas encore"),
    }


def quiz_data(
    assignment: Assignment,
    version: ActivityVersion,
    content: QuizContent,
    profile: PupilProfile,
    last: Attempt | None,
    layout: QuizLayout,
) -> dict[str, Any]:
    """Return the quiz player's data for one pupil and one attempt's layout."""
    return {
        **_common(assignment, profile),
        "versionId": version.pk,
        # The player sends the seed back with the answers, to decode their ids.
        "seed": layout.seed,
        "title": _text(content.title),
        "instructions": _text(content.instructions) or _text(content.summary),
        "questions": [
            _question_payload(question, layout) for question in content.questions
        ],
        "lastResult": {"score": last.score, "maxScore": last.max_score}
        if last is not None
        else None,
        "strings": quiz_strings(),
    }


# Coding challenges.


def block_labels() -> dict[str, str]:
    """Return the text of each Blockly block; `%1` marks the repeat count's field."""
    return {
        grid_world.START_BLOCK: _("quand on lance"),
        grid_world.MOVE_FORWARD: _("avance"),
        grid_world.TURN_LEFT: _("tourne à gauche ↺"),
        grid_world.TURN_RIGHT: _("tourne à droite ↻"),
        grid_world.COLLECT: _("ramasse"),
        grid_world.REPEAT: _("répète %1 fois"),
        grid_world.REPEAT_UNTIL_GOAL: _("répète jusqu’au drapeau"),
        grid_world.IF_PATH_AHEAD: _("si chemin devant"),
        grid_world.IF_WALL_AHEAD: _("si mur devant"),
        grid_world.IF_ITEM_HERE: _("si objet ici"),
    }


def coding_strings() -> dict[str, Any]:
    return {
        **_queue_strings(),
        "run": _("Lancer"),
        "reset": _("Remettre le robot"),
        "hint": _("Un indice"),
        "running": _("Le robot avance…"),
        "gridLabel": _("La grille du robot"),
        "blocksUsed": _("Blocs utilisés : {count}"),
        "blocksOfMax": _("Blocs utilisés : {count} sur {max}"),
        "blocks": {**block_labels(), "else": _("sinon")},
        "outcomes": {
            "success": _("Bravo ! Le robot est arrivé."),
            "wall_hit": _("Aïe, le robot a touché un mur. Regarde où il s’arrête."),
            "obstacle_hit": _("Le robot a heurté un obstacle. Essaie un autre chemin."),
            "out_of_grid": _("Le robot sort de la grille. Vérifie ses virages."),
            "goal_not_reached": _("Le robot n’est pas encore au drapeau. Continue !"),
            "items_not_collected": _(
                "Le robot est au drapeau, mais il reste des objets à ramasser."
            ),
            "block_limit_exceeded": _("Trop de blocs ! Essaie avec moins de blocs."),
            "block_not_allowed": _("Ce bloc n’est pas permis dans ce défi."),
            "step_limit_reached": _(
                "Le robot tourne en rond. Vérifie tes boucles, puis relance."
            ),
            "unknown_block": _("Ce bloc n’est pas permis dans ce défi."),
            "invalid_program": _(
                "Accroche tes blocs sous « quand on lance », puis relance."
            ),
        },
    }


def coding_data(
    assignment: Assignment,
    version: ActivityVersion,
    content: CodingContent,
    profile: PupilProfile,
    solved: bool,
) -> dict[str, Any]:
    """Return the coding player's data for one pupil."""
    return {
        **_common(assignment, profile),
        "versionId": version.pk,
        "title": _text(content.title),
        "instructions": _text(content.instructions),
        "grid": content.grid,
        "limits": content.limits(),
        "toolbox": content.toolbox_blocks(),
        "startingWorkspace": content.starting_workspace(),
        "hints": [_text(hint) for hint in content.hints],
        "solved": solved,
        "blocklyMedia": static("vendor/blockly/media/"),
        "strings": coding_strings(),
    }
