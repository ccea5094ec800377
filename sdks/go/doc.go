// Package statusapp is the Go client of the StatusApp API: monitors, incidents,
// status pages, webhooks, alert channels, maintenance windows, API keys and events.
//
//	client := statusapp.NewClient(os.Getenv("STATUSAPP_API_KEY"))
//	it := client.Monitors.Iter(ctx, &statusapp.MonitorListParams{Status: "DOWN"})
//	for it.Next() {
//		fmt.Println(it.Value().Name)
//	}
//	if err := it.Err(); err != nil {
//		log.Fatal(err)
//	}
//
// Every call takes a context, API errors are *APIError (errors.Is(err, ErrNotFound)
// and its siblings tell the kinds apart), 429 and 503 answers are retried after their
// Retry-After, and VerifySignature / NewWebhook check the deliveries StatusApp signs.
package statusapp
