"""The Content-Security-Policy of every HTML page StatusApp serves but the public status
pages, which set their own, stricter one: scripts, styles and images from this origin
only (no inline script or style), never framed. The Django admin works under it as it
is; the API docs (Swagger UI, served from here by drf-spectacular-sidecar) load their
init script as a file of their own (SpectacularSwaggerSplitView), and the one inline
<style> block of drf-spectacular's page is allowed by its hash."""

POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'"
)
# sha256 of the <style> block of drf_spectacular/swagger_ui.html; the headers test checks
# it against the page served, so an upgrade that changes it fails there, not in browsers.
SWAGGER_UI_STYLE = "'sha256-MMpT0iDxyjALd9PdfepImGX3DBfJPXZ4IlDWdPAgtn0='"
API_DOCS_PATH = "/api/docs"
API_DOCS_POLICY = POLICY.replace("style-src 'self'", f"style-src 'self' {SWAGGER_UI_STYLE}")


class ContentSecurityPolicyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.get("Content-Type", "").startswith("text/html") and "Content-Security-Policy" not in response:
            response["Content-Security-Policy"] = API_DOCS_POLICY if request.path == API_DOCS_PATH else POLICY
        return response
