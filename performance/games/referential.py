"""Referential communication: one pupil describes a picture, the partner picks it.

Each trial shows a few similar pictures, figures that differ in shape, colour,
pattern or size. The speaker sees which one is the target and builds a message by
tapping words (one per feature at most); the listener sees the message and the
pictures, in another order, and picks one. Both then see whether the pick was right.
The roles swap at every trial.

A message "singles out" the target when the target is the only picture matching every
word of it, which is checked against the trial's pictures, so the score needs no
reading of free text.

Actions:
- `message` {trial, words: {feature: value}}: the speaker's message for trial `trial`
  (0-based);
- `choose` {trial, picture}: the listener's pick;
- `next` {trial}: either member moves on after seeing the result.
"""

import random
from collections.abc import Mapping
from typing import Annotated, Any, Literal

from django.utils.translation import gettext as _
from pydantic import Field, model_validator

from iota.yaml_schema import Strict, Text
from performance.games.base import (
    GroupGame,
    InvalidEventError,
    Scores,
    State,
    integer_field,
    not_allowed,
    share,
)

# Features the player draws (static/iota/js/task-figures.js) and their values.
DRAWABLE = {
    "shape": ("circle", "square", "triangle", "star"),
    "color": ("red", "blue", "yellow"),
    "pattern": ("plain", "stripes", "dots"),
    "size": ("big", "small"),
}
FeatureKey = Literal["shape", "color", "pattern", "size"]
PictureKey = Annotated[str, Field(pattern=r"^[A-Za-z][A-Za-z0-9_]*$", max_length=20)]


class Word(Strict):
    value: str
    text: Text


class Feature(Strict):
    key: FeatureKey
    label: Text
    words: Annotated[list[Word], Field(min_length=2)]

    @model_validator(mode="after")
    def _drawable_values(self) -> "Feature":
        for word in self.words:
            if word.value not in DRAWABLE[self.key]:
                raise ValueError(
                    _("« %(value)s » n’est pas une valeur de %(key)s : %(known)s")
                    % {
                        "value": word.value,
                        "key": self.key,
                        "known": ", ".join(DRAWABLE[self.key]),
                    }
                )
        return self


class Picture(Strict):
    key: PictureKey
    shape: str | None = None
    color: str | None = None
    pattern: str | None = None
    size: str | None = None

    def features(self) -> dict[str, str]:
        return {
            key: value for key in DRAWABLE if (value := getattr(self, key)) is not None
        }


class Trial(Strict):
    pictures: Annotated[list[Picture], Field(min_length=3, max_length=6)]
    target: PictureKey

    @model_validator(mode="after")
    def _target_among_distinct_pictures(self) -> "Trial":
        keys = [picture.key for picture in self.pictures]
        if len(set(keys)) != len(keys):
            raise ValueError(_("deux images de cet essai ont la même clé"))
        if self.target not in keys:
            raise ValueError(
                _("target « %(target)s » n’est pas une des images : %(keys)s")
                % {"target": self.target, "keys": ", ".join(keys)}
            )
        looks = [tuple(sorted(picture.features().items())) for picture in self.pictures]
        if len(set(looks)) != len(looks):
            raise ValueError(
                _(
                    "deux images de cet essai sont identiques : changez un de leurs "
                    "traits"
                )
            )
        return self


class ReferentialTexts(Strict):
    speaker: Text
    listener: Text
    waiting_message: Text
    waiting_choice: Text
    correct: Text
    wrong: Text
    end: Text


class ReferentialContent(Strict):
    features: Annotated[list[Feature], Field(min_length=2)]
    trials: Annotated[list[Trial], Field(min_length=2, max_length=12)]
    texts: ReferentialTexts

    def words_of(self, key: str) -> set[str]:
        return next(
            {word.value for word in feature.words}
            for feature in self.features
            if feature.key == key
        )

    @model_validator(mode="after")
    def _pictures_use_listed_words(self) -> "ReferentialContent":
        keys = [feature.key for feature in self.features]
        if len(set(keys)) != len(keys):
            raise ValueError(_("un trait apparaît deux fois sous features"))
        for number, trial in enumerate(self.trials):
            for picture in trial.pictures:
                traits = picture.features()
                if set(traits) != set(keys):
                    raise ValueError(
                        _(
                            "trials[%(n)s] : l’image %(pic)s doit donner exactement "
                            "les traits %(keys)s"
                        )
                        % {"n": number, "pic": picture.key, "keys": ", ".join(keys)}
                    )
                for key, value in traits.items():
                    if value not in self.words_of(key):
                        raise ValueError(
                            _(
                                "trials[%(n)s] : l’image %(pic)s a %(key)s: %(value)s, "
                                "qui n’a pas de mot sous features"
                            )
                            % {
                                "n": number,
                                "pic": picture.key,
                                "key": key,
                                "value": value,
                            }
                        )
        return self


def matching_pictures(trial: Trial, words: Mapping[str, str]) -> list[str]:
    """Return the keys of the trial's pictures that fit every word of a message."""
    return [
        picture.key
        for picture in trial.pictures
        if all(picture.features().get(key) == value for key, value in words.items())
    ]


def singles_out(trial: Trial, words: Mapping[str, str]) -> bool:
    """Tell whether the message fits the target and no other picture."""
    return matching_pictures(trial, words) == [trial.target]


def speaker_of(trial: int) -> int:
    return trial % 2


class Referential(GroupGame):
    type = "referential"
    skill = "communication"
    mode = "pair"
    content_model = ReferentialContent
    min_size = 2
    max_size = 2
    draw_size = 2
    allows_shared_device = True
    score_names = (
        "listener_accuracy",
        "unique_message_share",
        "mean_message_words",
        "trials_as_listener",
        "trials_as_speaker",
    )

    def client_content(self, content: ReferentialContent) -> dict[str, Any]:
        return content.model_dump(mode="json", exclude={"trials"}, exclude_none=True)

    def initial_state(
        self, content: ReferentialContent, seats: int, rng: random.Random
    ) -> State:
        return {
            "trial": 0,
            "phase": "message",
            "message": None,
            "results": [],
            "finished": False,
            # Seeds the order in which each member sees the pictures.
            "salt": rng.randrange(1_000_000),
        }

    def apply(
        self,
        content: ReferentialContent,
        state: State,
        kind: str,
        payload: Mapping[str, Any],
        seat: int | None,
    ) -> State:
        if state["finished"]:
            raise not_allowed(_("Le jeu est fini."))
        number = integer_field(payload, "trial", 0, len(content.trials) - 1)
        if number != state["trial"]:
            raise not_allowed(_("Cette manche est déjà passée."))
        speaker = speaker_of(number)
        if kind == "message":
            if state["phase"] != "message":
                raise not_allowed(_("Le message est déjà envoyé."))
            if seat != speaker:
                raise not_allowed(_("C’est ton partenaire qui décrit l’image."))
            words = _checked_words(content, payload.get("words"))
            return {**state, "phase": "choose", "message": words}
        if kind == "choose":
            if state["phase"] != "choose":
                raise not_allowed(_("Ce n’est pas encore le moment de choisir."))
            if seat != 1 - speaker:
                raise not_allowed(_("C’est ton partenaire qui choisit l’image."))
            trial = content.trials[number]
            picture = payload.get("picture")
            if picture not in [p.key for p in trial.pictures]:
                raise InvalidEventError(
                    _("picture %(value)r n’est pas une image de cette manche")
                    % {"value": picture}
                )
            result = {
                "speaker": speaker,
                "message": state["message"],
                "choice": picture,
                "correct": picture == trial.target,
            }
            return {
                **state,
                "phase": "feedback",
                "results": [*state["results"], result],
            }
        if kind == "next":
            if state["phase"] != "feedback":
                raise not_allowed(_("La manche n’est pas finie."))
            if number + 1 >= len(content.trials):
                return {**state, "phase": "end", "finished": True}
            return {**state, "trial": number + 1, "phase": "message", "message": None}
        raise InvalidEventError(
            _("action inconnue « %(kind)s » : message, choose ou next") % {"kind": kind}
        )

    def acting_seat(self, content: ReferentialContent, state: State) -> int | None:
        if state["phase"] == "message":
            return speaker_of(state["trial"])
        if state["phase"] == "choose":
            return 1 - speaker_of(state["trial"])
        return None

    def view(
        self,
        content: ReferentialContent,
        state: State,
        seat: int | None,
        *,
        shared: bool,
    ) -> dict[str, Any]:
        number = state["trial"]
        trial = content.trials[number]
        if shared:
            acting = self.acting_seat(content, state)
            seat = speaker_of(number) if acting is None else acting
        speaker = speaker_of(number)
        view: dict[str, Any] = {
            "trial": number,
            "trials": len(content.trials),
            "phase": state["phase"],
            "speaker": speaker,
            "finished": state["finished"],
            "correctCount": sum(result["correct"] for result in state["results"]),
        }
        if seat is None:
            return view
        order = list(trial.pictures)
        random.Random(f"{state['salt']}-{number}-{seat}").shuffle(order)
        view.update(
            {
                "seat": seat,
                "role": "speaker" if seat == speaker else "listener",
                "pictures": [
                    {"key": picture.key, **picture.features()} for picture in order
                ],
                "message": state["message"],
            }
        )
        if seat == speaker or state["phase"] in ("feedback", "end"):
            view["target"] = trial.target
        if state["phase"] in ("feedback", "end") and state["results"]:
            view["result"] = state["results"][-1]
        return view

    def score(self, content: ReferentialContent, state: State, seat: int) -> Scores:
        as_listener = []
        as_speaker = []
        for number, result in enumerate(state["results"]):
            if result["speaker"] == seat:
                as_speaker.append((content.trials[number], result["message"]))
            else:
                as_listener.append(result["correct"])
        return {
            "listener_accuracy": share(sum(as_listener), len(as_listener)),
            "unique_message_share": share(
                sum(singles_out(trial, words) for trial, words in as_speaker),
                len(as_speaker),
            ),
            "mean_message_words": share(
                sum(len(words) for _trial, words in as_speaker), len(as_speaker)
            ),
            "trials_as_listener": len(as_listener),
            "trials_as_speaker": len(as_speaker),
        }


def _checked_words(content: ReferentialContent, words: object) -> dict[str, str]:
    if not isinstance(words, dict) or not words:
        raise InvalidEventError(
            _("words doit associer au moins un trait à un mot (trouvé : %(v)r)")
            % {"v": words}
        )
    known = {feature.key for feature in content.features}
    for key, value in words.items():
        if key not in known or value not in content.words_of(key):
            raise InvalidEventError(
                _("le mot %(key)s: %(value)r n’est pas proposé dans cette tâche")
                % {"key": key, "value": value}
            )
    return dict(words)
