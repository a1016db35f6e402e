"""Form fields of speakers shared by the admin and the public site's speaker portal."""

from django import forms
from django.core.exceptions import ValidationError

from speakers.exceptions import SpeakersError
from speakers.headshots import normalised_headshot


class HeadshotField(forms.ImageField):
    """An uploaded headshot: refused beyond the size caps before it is decoded, and handed on
    re-encoded (speakers.headshots), so the upload itself is never stored; `square` crops it."""

    def __init__(self, *args, square: bool = False, **kwargs):
        self.square = square
        super().__init__(*args, **kwargs)

    def to_python(self, data):
        upload = forms.FileField.to_python(self, data)
        if upload is None:
            return None
        try:
            return normalised_headshot(upload, square=self.square)
        except SpeakersError as error:
            raise ValidationError(error.message, code=error.code) from error
