from django import forms
from django.contrib.auth import get_user_model, password_validation
from django.utils.text import slugify

from .models import Organization
from .preferences import time_zone_names


class SetupForm(forms.Form):
    """The first run: the owner's account and their organization."""

    organization = forms.CharField(label="Organization name", max_length=200)
    username = forms.CharField(max_length=150)
    email = forms.EmailField(max_length=254)  # the user table's column
    password = forms.CharField(widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))
    password_again = forms.CharField(
        label="Password again", widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )

    def clean_organization(self) -> str:
        name = self.cleaned_data["organization"].strip()
        if not slugify(name):
            raise forms.ValidationError("Use at least one letter or digit.")
        return name

    def clean_username(self) -> str:
        username = self.cleaned_data["username"].strip()
        if get_user_model().objects.filter(username__iexact=username).exists():
            raise forms.ValidationError("This username is taken.")
        return username

    def clean(self):
        data = super().clean()
        password, again = data.get("password"), data.get("password_again")
        if password:
            user = get_user_model()(username=data.get("username", ""), email=data.get("email", ""))
            try:
                password_validation.validate_password(password, user)
            except forms.ValidationError as exc:
                self.add_error("password", exc)
        if password and again and password != again:
            self.add_error("password_again", "The two passwords differ.")
        return data


def free_slug(name: str) -> str:
    base = slugify(name)[:40] or "org"
    slug, suffix = base, 1
    while Organization.objects.filter(slug=slug).exists():
        suffix += 1
        slug = f"{base}-{suffix}"
    return slug


class PreferencesForm(forms.Form):
    time_zone = forms.ChoiceField(
        label="Time zone",
        help_text="Dashboard times are shown in it, and the dates and times you enter are read in it.",
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["time_zone"].choices = [(name, name.replace("_", " ")) for name in time_zone_names()]
