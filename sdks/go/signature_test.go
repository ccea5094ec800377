package statusapp

import (
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"
)

func TestVerifySignatureIsTheGuidesHexHMAC(t *testing.T) {
	body := []byte(`{"event":"monitor.down"}`)
	// hmac.new(b"whsec_c2VjcmV0", body, hashlib.sha256).hexdigest(), as the guide's Python computes it.
	const signature = "f7b958fdd4c05861962d99b42aec6222ef96658d55a65fef1fee7af8607432e5"
	if !VerifySignature(body, signature, "whsec_c2VjcmV0") {
		t.Fatal("the guide's signature does not verify")
	}
	for name, tc := range map[string]struct {
		body              []byte
		signature, secret string
	}{
		"tampered body":   {[]byte(`{"event":"monitor.up"}`), signature, "whsec_c2VjcmV0"},
		"another secret":  {body, signature, "whsec_b3RoZXI="},
		"empty signature": {body, "", "whsec_c2VjcmV0"},
		"truncated":       {body, signature[:32], "whsec_c2VjcmV0"},
	} {
		if VerifySignature(tc.body, tc.signature, tc.secret) {
			t.Errorf("%s verifies", name)
		}
	}
}

// The example of the Standard Webhooks specification (github.com/standard-webhooks).
var (
	specSecret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
	specBody   = []byte(`{"test": 2432232314}`)
	specTime   = time.Unix(1614265330, 0)
)

func specHeader() http.Header {
	h := http.Header{}
	h.Set("webhook-id", "msg_p5jXN8AQM9LWM0D4loKWxJek")
	h.Set("webhook-timestamp", "1614265330")
	h.Set("webhook-signature", "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=")
	return h
}

func TestWebhookVerifiesTheSpecificationExample(t *testing.T) {
	w := NewWebhook(specSecret)
	if err := w.verify(specBody, specHeader(), specTime.Add(WebhookTolerance)); err != nil {
		t.Fatal(err)
	}
	// One good signature among others (a rotation's overlap) is enough.
	h := specHeader()
	h.Set("webhook-signature", "v1,bm90IHRoaXMgb25l v2,whatever "+h.Get("webhook-signature"))
	if err := w.verify(specBody, h, specTime); err != nil {
		t.Fatal(err)
	}
}

func TestWebhookRefuses(t *testing.T) {
	cases := map[string]struct {
		secret string
		body   []byte
		header func(http.Header)
		now    time.Time
		reason string
	}{
		"a tampered body":           {specSecret, []byte(`{"test": 2432232315}`), nil, specTime, "no signature matches"},
		"another secret":            {"whsec_" + strings.Repeat("A", 32), specBody, nil, specTime, "no signature matches"},
		"another id":                {specSecret, specBody, func(h http.Header) { h.Set("webhook-id", "msg_other") }, specTime, "no signature matches"},
		"a replay, too late":        {specSecret, specBody, nil, specTime.Add(WebhookTolerance + time.Second), "timestamp"},
		"a timestamp in the future": {specSecret, specBody, nil, specTime.Add(-WebhookTolerance - time.Second), "timestamp"},
		"no signature header":       {specSecret, specBody, func(h http.Header) { h.Del("webhook-signature") }, specTime, "missing"},
		"no id header":              {specSecret, specBody, func(h http.Header) { h.Del("webhook-id") }, specTime, "missing"},
		"a timestamp not a number":  {specSecret, specBody, func(h http.Header) { h.Set("webhook-timestamp", "soon") }, specTime, "not a number"},
		"a secret not base64":       {"whsec_!!!", specBody, nil, specTime, "secret"},
	}
	for name, tc := range cases {
		h := specHeader()
		if tc.header != nil {
			tc.header(h)
		}
		err := NewWebhook(tc.secret).verify(tc.body, h, tc.now)
		if !errors.Is(err, ErrInvalidWebhook) || !strings.Contains(err.Error(), tc.reason) {
			t.Errorf("%s: %v", name, err)
		}
	}
}

func TestParseRetryAfter(t *testing.T) {
	now := time.Date(2024, 1, 21, 10, 30, 0, 0, time.UTC)
	for value, want := range map[string]time.Duration{
		"5":                             5 * time.Second,
		"0":                             0,
		"":                              0,
		"-3":                            0,
		"soon":                          0,
		"Sun, 21 Jan 2024 10:30:07 GMT": 7 * time.Second,
		"Sun, 21 Jan 2024 10:29:00 GMT": 0,
	} {
		if got := parseRetryAfter(value, now); got != want {
			t.Errorf("Retry-After %q: %s, want %s", value, got, want)
		}
	}
}
