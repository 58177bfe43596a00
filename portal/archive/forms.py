"""HTML forms of the portal pages (the JSON API has its own serializers)."""

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from portal.archive.models import Document, Membership, Project, Script


def keyboard_characters(value: str) -> str:
    """One key per character: spaces and repeats dropped, in the order the archivist typed them."""
    seen: list[str] = []
    for char in value:
        if not char.isspace() and char not in seen:
            seen.append(char)
    return "".join(seen)


class ProjectForm(forms.ModelForm):
    class Meta:
        model = Project
        fields = ["name", "description", "script"]
        help_texts = {"script": _("Its new documents' script, unless they choose another.")}
        widgets = {"description": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["script"].required = False

    def clean_script(self) -> str:
        return self.cleaned_data.get("script") or self.instance.script or Script.LATIN


class DocumentForm(forms.ModelForm):
    class Meta:
        model = Document
        fields = ["title", "description", "direction", "script", "keyboard", "retrain_every"]
        labels = {"direction": _("Writing direction"), "keyboard": _("Extra keyboard characters")}
        help_texts = {
            "script": _("Picks the model that reads it and the editor's keyboard."),
            "keyboard": _("Characters offered by the editor's virtual keyboard, besides the letters of its script."),
        }
        widgets = {"description": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["script"].required = False  # a form without it keeps the document's (a new one: its project's)
        self.fields["retrain_every"].required = False

    def clean_retrain_every(self) -> int:
        value = self.cleaned_data.get("retrain_every")
        return self.instance.retrain_every if value is None else value

    def clean_script(self) -> str:
        return self.cleaned_data.get("script") or self.instance.script or Script.LATIN

    def clean_keyboard(self) -> str:
        return keyboard_characters(self.cleaned_data["keyboard"])


class ProjectSettingsForm(ProjectForm):
    """What the project's manager may change on its page, the editor's keyboard included."""

    class Meta(ProjectForm.Meta):
        fields = ["name", "description", "script", "keyboard"]
        labels = {"keyboard": _("Keyboard characters")}
        help_texts = {
            **ProjectForm.Meta.help_texts,
            "keyboard": _(
                "Offered by the editor's virtual keyboard in every document of the project, after the "
                "letters of the document's script (French: œ æ ç ſ and accents; pre-reform Russian: "
                "ѣ і ъ ѳ ѵ). Type them one after another."
            ),
        }

    def clean_keyboard(self) -> str:
        return keyboard_characters(self.cleaned_data["keyboard"])


class MemberForm(forms.Form):
    username = forms.CharField(label=_("User name"), max_length=150)
    role = forms.ChoiceField(label=_("Role"), choices=Membership.Role.choices, initial=Membership.Role.EDITOR)

    def __init__(self, *args, project: Project, **kwargs):
        super().__init__(*args, **kwargs)
        self.project = project

    def clean_username(self):
        username = self.cleaned_data["username"].strip()
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise forms.ValidationError(_("There is no user named “%(name)s”."), params={"name": username})
        if user.pk == self.project.owner_id:
            raise forms.ValidationError(_("The owner of the project is already a member."))
        return user
