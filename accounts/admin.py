from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.http import HttpRequest

from accounts.models import SignInAttempt, SignInWindow, User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ["email"]
    list_display = ["email", "role", "is_active", "is_staff"]
    list_filter = ["role", "is_active", "is_staff"]
    search_fields = ["email"]
    fieldsets = (
        (None, {"fields": ("email", "password", "role")}),
        ("Identité", {"fields": ("first_name", "last_name")}),
        ("Droits", {"fields": ("is_active", "is_staff", "is_superuser", "groups")}),
    )
    add_fieldsets = ((None, {"fields": ("email", "role", "password1", "password2")}),)


@admin.register(SignInWindow)
class SignInWindowAdmin(admin.ModelAdmin):
    list_display = ["classroom", "opens_at", "closes_at", "opened_by"]
    list_filter = ["opens_at"]
    raw_id_fields = ["classroom", "opened_by"]


@admin.register(SignInAttempt)
class SignInAttemptAdmin(admin.ModelAdmin):
    """Read-only audit of picture-password attempts, naming pupils by id only."""

    list_display = ["attempted_at", "pupil_id", "device", "succeeded"]
    list_filter = ["succeeded", "attempted_at"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(
        self, request: HttpRequest, obj: SignInAttempt | None = None
    ) -> bool:
        return False
