"""The layout of a quiz one pupil sees in one attempt: shuffled items under opaque ids.

The quiz player shows every choice, ordering item and matching item under an id that
the server derives with an HMAC keyed by SECRET_KEY from the assignment, the pupil,
the attempt's seed, the question, the side of a matching pair and the item's key. So
the page's source gives no answer away: a choice's id does not say whether it is
right, the two halves of a matching pair get unrelated ids, and the order of the
items comes from a keyed shuffle that a pupil cannot replay. The seed is the number
of attempts the pupil had stored when the page opened, so a reload keeps the layout
and the next attempt gets a new one. When the answers come back with their seed, the
server derives the same ids and maps them to the content's keys before scoring.
"""

import random
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

from django.conf import settings
from django.utils.crypto import salted_hmac

from activities.schemas import Matching, MultipleChoice, Ordering, SingleChoice

HMAC_SALT = "iota.learning.quiz_layout"
ID_LENGTH = 12
# Prefixed to an id the layout does not know: no content key starts with "?", so the
# scoring counts the answer as invalid instead of matching a key by chance.
UNKNOWN_ID_PREFIX = "?"

T = TypeVar("T")


@dataclass(frozen=True)
class QuizLayout:
    assignment_id: int
    pupil_id: int
    seed: int

    def _digest(self, *parts: str, secret: str | bytes | None = None) -> str:
        value = ":".join(
            [str(self.assignment_id), str(self.pupil_id), str(self.seed), *parts]
        )
        return salted_hmac(
            HMAC_SALT, value, secret=secret, algorithm="sha256"
        ).hexdigest()

    def item_id(self, question_key: str, side: str, key: str) -> str:
        """Return the opaque id the page shows for item `key` of a question."""
        return self._digest("id", question_key, side, key)[:ID_LENGTH]

    def shuffled(self, question_key: str, side: str, items: list[T]) -> list[T]:
        """Return `items` in a keyed random order that differs from the given one.

        The author's order is the right order of an ordering question, and two
        matching columns in the author's order line every pair up, so a shuffle that
        lands on it moves each item one place down.
        """
        order = list(items)
        random.Random(self._digest("order", question_key, side)).shuffle(order)
        if len(order) > 1 and order == list(items):
            order = order[1:] + order[:1]
        return order

    def matching_columns(self, question: Matching) -> tuple[list[Any], list[Any]]:
        """Return the pairs in the order of the left column and of the right column."""
        left = self.shuffled(question.key, "left", question.pairs)
        right = self.shuffled(question.key, "right", question.pairs)
        if len(right) > 1 and right == left:
            right = right[1:] + right[:1]
        return left, right

    def decode_answers(
        self, questions: list[Any], answers: Mapping[str, Any]
    ) -> dict[str, Any]:
        """Return `answers` with the page's ids replaced by the content's keys.

        Answers to unknown questions and answers of an unexpected shape pass
        unchanged, so the scoring reports them. An id this layout never showed
        becomes `?<id>`, which the scoring counts as invalid.
        """
        by_key = {question.key: question for question in questions}
        decoded = dict(answers)
        for question_key, answer in answers.items():
            question = by_key.get(question_key)
            if question is not None:
                decoded[question_key] = self._decode(question, answer)
        return decoded

    def _decode(self, question: Any, answer: Any) -> Any:
        if isinstance(question, SingleChoice | MultipleChoice):
            keys = [choice.key for choice in question.choices]
            return _map_ids(answer, self._keys_by_id(question.key, "choice", keys))
        if isinstance(question, Ordering):
            keys = [item.key for item in question.items]
            return _map_ids(answer, self._keys_by_id(question.key, "item", keys))
        if isinstance(question, Matching):
            if not isinstance(answer, Mapping):
                return answer
            keys = [pair.key for pair in question.pairs]
            left = self._keys_by_id(question.key, "left", keys)
            right = self._keys_by_id(question.key, "right", keys)
            return {
                _map_id(left_id, left): _map_id(right_id, right)
                for left_id, right_id in answer.items()
            }
        return answer

    def _keys_by_id(
        self, question_key: str, side: str, keys: list[str]
    ) -> dict[str, str]:
        # Ids made with a previous key of SECRET_KEY_FALLBACKS still decode, so a
        # quiz open in a browser while the key rotates is scored all the same.
        secrets = [settings.SECRET_KEY, *settings.SECRET_KEY_FALLBACKS]
        return {
            self._digest("id", question_key, side, key, secret=secret)[:ID_LENGTH]: key
            for secret in secrets
            for key in keys
        }


def _map_id(value: Any, keys_by_id: Mapping[str, str]) -> Any:
    if not isinstance(value, str):
        return value
    return keys_by_id.get(value, UNKNOWN_ID_PREFIX + value)


def _map_ids(answer: Any, keys_by_id: Mapping[str, str]) -> Any:
    if isinstance(answer, list):
        return [_map_id(value, keys_by_id) for value in answer]
    return _map_id(answer, keys_by_id)
