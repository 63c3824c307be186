"""Activities in Django's admin, read-only: content changes go through content files
or the authoring screens, which publish new versions."""

from django.contrib import admin
from django.http import HttpRequest

from activities.models import Activity, ActivityVersion


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(Activity)
class ActivityAdmin(ReadOnlyAdmin):
    list_display = ["key", "kind", "title", "duration_minutes", "current_version"]
    list_filter = ["kind", "on_screen"]
    search_fields = ["key", "title"]


@admin.register(ActivityVersion)
class ActivityVersionAdmin(ReadOnlyAdmin):
    list_display = ["activity", "number", "status", "published_at", "published_by"]
    list_filter = ["status"]
    search_fields = ["activity__key"]
