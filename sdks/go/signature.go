package statusapp

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// WebhookTolerance is how far a delivery's webhook-timestamp may be from now, either
// way, before Webhook.Verify refuses it as a possible replay.
const WebhookTolerance = 5 * time.Minute

// ErrInvalidWebhook is what Webhook.Verify returns (wrapped, with the reason) for a
// delivery that must not be trusted.
var ErrInvalidWebhook = errors.New("statusapp: invalid webhook")

// VerifySignature reports whether signature, the X-StatusApp-Signature header of a
// delivery, is the hex HMAC-SHA256 of body keyed with the endpoint's whole secret
// ("whsec_..."), as the API guide's verify_signature computes it. body must be the
// raw bytes received, before any JSON decoding.
func VerifySignature(body []byte, signature, secret string) bool {
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write(body)
	expected := hex.EncodeToString(mac.Sum(nil))
	return hmac.Equal([]byte(strings.ToLower(strings.TrimSpace(signature))), []byte(expected))
}

// Webhook verifies deliveries by their Standard Webhooks headers (webhook-id,
// webhook-timestamp, webhook-signature), which also guard against replays.
type Webhook struct {
	secret string
}

// NewWebhook returns a verifier for an endpoint's secret ("whsec_<base64>").
func NewWebhook(secret string) *Webhook {
	return &Webhook{secret: secret}
}

// Verify returns nil when body and header are a delivery signed with the secret no
// more than WebhookTolerance ago; otherwise an error wrapping ErrInvalidWebhook. During
// a secret rotation's overlap a delivery carries two signatures: either one will do.
func (w *Webhook) Verify(body []byte, header http.Header) error {
	return w.verify(body, header, time.Now())
}

func (w *Webhook) verify(body []byte, header http.Header, now time.Time) error {
	key, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(w.secret, "whsec_"))
	if err != nil || len(key) == 0 {
		return fmt.Errorf("%w: the secret is not whsec_ followed by base64", ErrInvalidWebhook)
	}
	id := header.Get("webhook-id")
	timestamp := header.Get("webhook-timestamp")
	signatures := header.Get("webhook-signature")
	if id == "" || timestamp == "" || signatures == "" {
		return fmt.Errorf("%w: missing webhook-id, webhook-timestamp or webhook-signature header", ErrInvalidWebhook)
	}
	seconds, err := strconv.ParseInt(timestamp, 10, 64)
	if err != nil {
		return fmt.Errorf("%w: webhook-timestamp is not a number", ErrInvalidWebhook)
	}
	if age := now.Sub(time.Unix(seconds, 0)); age > WebhookTolerance || age < -WebhookTolerance {
		return fmt.Errorf("%w: webhook-timestamp is %s away from now", ErrInvalidWebhook, age.Round(time.Second))
	}
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte(id + "." + timestamp + "."))
	mac.Write(body)
	expected := mac.Sum(nil)
	for _, signature := range strings.Fields(signatures) {
		version, encoded, ok := strings.Cut(signature, ",")
		if !ok || version != "v1" {
			continue
		}
		got, err := base64.StdEncoding.DecodeString(encoded)
		if err == nil && hmac.Equal(got, expected) {
			return nil
		}
	}
	return fmt.Errorf("%w: no signature matches", ErrInvalidWebhook)
}
