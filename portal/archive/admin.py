from django.contrib import admin

from portal.archive.models import (
    Document,
    HtrModel,
    Layer,
    Line,
    Membership,
    Page,
    Project,
    Region,
    Revision,
    Transcription,
)


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(Project)
class ProjectAdmin(admin.ModelAdmin):
    list_display = ["name", "owner", "created"]
    search_fields = ["name", "owner__username"]
    inlines = [MembershipInline]


@admin.register(Document)
class DocumentAdmin(admin.ModelAdmin):
    list_display = ["title", "project", "is_public", "direction", "created"]
    list_filter = ["is_public", "direction"]
    search_fields = ["title", "project__name"]


@admin.register(HtrModel)
class HtrModelAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "script", "project", "read_only", "trained_at"]
    list_filter = ["kind", "script", "read_only"]
    search_fields = ["name", "project__name"]
    raw_id_fields = ["base", "project", "trained_by"]


@admin.register(Page)
class PageAdmin(admin.ModelAdmin):
    list_display = ["document", "number", "original_name", "width", "height", "state"]
    list_filter = ["state"]
    search_fields = ["document__title", "original_name"]
    raw_id_fields = ["document"]


@admin.register(Layer)
class LayerAdmin(admin.ModelAdmin):
    list_display = ["name", "document", "kind", "model_name", "created"]
    list_filter = ["kind"]
    raw_id_fields = ["document"]


class RevisionInline(admin.TabularInline):
    model = Revision
    extra = 0
    fields = ["version", "text", "author", "model_name", "created"]
    readonly_fields = fields


@admin.register(Transcription)
class TranscriptionAdmin(admin.ModelAdmin):
    list_display = ["line", "layer", "version", "updated"]
    search_fields = ["text"]
    raw_id_fields = ["line", "layer"]
    inlines = [RevisionInline]


admin.site.register(Region, raw_id_fields=["page"])
admin.site.register(Line, raw_id_fields=["page", "region"], list_display=["pk", "page", "order"])
