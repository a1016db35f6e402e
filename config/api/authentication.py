"""Token authentication that accepts both `Token <key>` and `Bearer <key>` headers."""

from rest_framework.authentication import TokenAuthentication, get_authorization_header
from rest_framework.authtoken.models import Token


class TokenOrBearerAuthentication(TokenAuthentication):
    """DRF token auth; mobile HTTP stacks often only know how to send `Bearer`."""

    model = Token

    def authenticate(self, request):
        header = get_authorization_header(request).split()
        if header and header[0].lower() == b"bearer":
            if len(header) != 2:
                return super().authenticate(request)  # lets DRF word the malformed-header error
            return self.authenticate_credentials(header[1].decode(errors="replace"))
        return super().authenticate(request)
