"""Forms of the teacher's task pages: forming groups and the observation grid."""

from collections.abc import Sequence
from typing import Any, cast

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from performance.definitions import ObservationGrid
from performance.games import GroupGame
from performance.models import DeviceMode, Group
from performance.services import GroupDraft
from performance.texts import localized
from schools.models import Pupil

MAX_GROUP_NUMBER = 99


class GroupsForm(forms.Form):
    """One group number per pupil; pupils with the same number play together.

    Pupils of a group that has started playing keep their group: their field is
    shown disabled.
    """

    device_mode = forms.ChoiceField(
        label=gettext_lazy("Appareils"),
        choices=DeviceMode.choices,
        initial=DeviceMode.DEVICES,
        widget=forms.RadioSelect,
    )

    def __init__(
        self,
        *args: Any,
        pupils: Sequence[Pupil],
        groups: Sequence[Group],
        game: GroupGame,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.pupils = list(pupils)
        device_mode = cast(forms.ChoiceField, self.fields["device_mode"])
        if not game.allows_shared_device:
            device_mode.choices = [(DeviceMode.DEVICES, DeviceMode.DEVICES.label)]
        current: dict[int, Group] = {}
        for group in groups:
            for run in group.runs.all():
                current[run.pupil_id] = group
            device_mode.initial = group.device_mode
        for pupil in self.pupils:
            pupil_group = current.get(pupil.pk)
            self.fields[self.field_name(pupil)] = forms.IntegerField(
                label=pupil.display_name,
                required=False,
                min_value=1,
                max_value=MAX_GROUP_NUMBER,
                initial=pupil_group.number if pupil_group else None,
                disabled=pupil_group is not None and pupil_group.version > 0,
            )

    @staticmethod
    def field_name(pupil: Pupil) -> str:
        return f"pupil_{pupil.pk}"

    def pupil_fields(self) -> list[tuple[Pupil, forms.BoundField]]:
        return [(pupil, self[self.field_name(pupil)]) for pupil in self.pupils]

    def drafts(self) -> list[GroupDraft]:
        """Return the groups asked for, pupils seated in the order of the list.

        Disabled fields keep groups that already play, which the service leaves
        alone, so they are not part of the drafts.
        """
        members: dict[int, list[Pupil]] = {}
        for pupil in self.pupils:
            field = self.fields[self.field_name(pupil)]
            number = self.cleaned_data.get(self.field_name(pupil))
            if number is not None and not field.disabled:
                members.setdefault(number, []).append(pupil)
        return [GroupDraft(number, members[number]) for number in sorted(members)]


class ObservationForm(forms.Form):
    """One rating per grid item, on the grid's scale."""

    def __init__(
        self,
        *args: Any,
        grid: ObservationGrid,
        initial: dict[str, int] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        choices = [
            (str(point), localized(label))
            for point, label in enumerate(grid.labels, start=1)
        ]
        for item in grid.items:
            self.fields[item.key] = forms.TypedChoiceField(
                label=localized(item.text),
                choices=choices,
                coerce=int,
                required=False,
                widget=forms.RadioSelect,
                initial=(initial or {}).get(item.key),
            )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if not any(value not in (None, "") for value in cleaned.values()):
            raise forms.ValidationError(_("Choisissez au moins une réponse."))
        return cleaned

    def ratings(self) -> dict[str, int]:
        return {
            key: value
            for key, value in self.cleaned_data.items()
            if value not in (None, "")
        }
