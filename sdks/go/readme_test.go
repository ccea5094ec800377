package statusapp_test

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	statusapp "github.com/statusapp-io/go-sdk"
)

// example is a ```go block of README.md and the heading it is under.
type example struct {
	heading string
	source  string
}

func readmeExamples(t *testing.T) []example {
	t.Helper()
	f, err := os.Open("README.md")
	check(t, err)
	defer f.Close()
	var examples []example
	var heading string
	var block *strings.Builder
	scanner := bufio.NewScanner(f)
	for scanner.Scan() {
		line := scanner.Text()
		switch {
		case block == nil && strings.HasPrefix(line, "#"):
			heading = strings.TrimSpace(strings.TrimLeft(line, "#"))
		case block == nil && line == "```go":
			block = &strings.Builder{}
		case block != nil && line == "```":
			examples = append(examples, example{heading, block.String()})
			block = nil
		case block != nil:
			block.WriteString(line + "\n")
		}
	}
	check(t, scanner.Err())
	return examples
}

// goCommand runs the go tool offline in dir, the way a user of a fresh clone would.
func goCommand(ctx context.Context, dir string, env []string, args ...string) *exec.Cmd {
	tool, err := exec.LookPath("go")
	if err != nil {
		tool = filepath.Join(runtime.GOROOT(), "bin", "go")
	}
	cmd := exec.CommandContext(ctx, tool, args...)
	cmd.Dir = dir
	cmd.Env = append(append(os.Environ(), "GOFLAGS=-mod=mod", "GOPROXY=off", "GOWORK=off"), env...)
	return cmd
}

// Every ```go block of the README is a program: each is built in a module that requires
// this one through a replace directive (the README's install) and run against the server.
func TestReadmeExamples(t *testing.T) {
	t.Parallel()
	ctx := testContext(t)
	base, key, down := env(t, "STATUSAPP_BASE_URL"), env(t, "STATUSAPP_API_KEY"), env(t, "STATUSAPP_TEST_DOWN_MONITOR")
	sdk, err := filepath.Abs(".")
	check(t, err)

	module := t.TempDir()
	for _, args := range [][]string{
		{"mod", "init", "example.com/readme"},
		{"mod", "edit", "-require", "github.com/statusapp-io/go-sdk@v0.0.0", "-replace", "github.com/statusapp-io/go-sdk=" + sdk},
	} {
		if out, err := goCommand(ctx, module, nil, args...).CombinedOutput(); err != nil {
			t.Fatalf("go %s: %v\n%s", strings.Join(args, " "), err, out)
		}
	}

	// What each program prints, by its heading; a new example needs a line here.
	expect := map[string][]string{
		"Quick start":                 {"DOWN: SDK down (" + down + ")"},
		"Errors":                      {"no such monitor", "Invalid monitor URL", "url: ["},
		"Python Integration":          {down, "affecting [" + down + "]"},
		"JavaScript Integration":      {"incidents\n", "created mon_"},
		"Automated Incident Creation": {"created inc_"},
		"Bulk Monitor Management":     {"for https://api1.example.com", "for https://api2.example.com"},
	}
	examples := readmeExamples(t)
	if len(examples) != len(expect)+1 {
		t.Fatalf("%d go blocks in README.md, want %d", len(examples), len(expect)+1)
	}
	receivers := 0
	for i, ex := range examples {
		dir := filepath.Join(module, fmt.Sprintf("example%d", i+1))
		check(t, os.Mkdir(dir, 0o755))
		check(t, os.WriteFile(filepath.Join(dir, "main.go"), []byte(ex.source), 0o644))
		if strings.Contains(ex.source, "ListenAndServe") {
			receivers++
			runReceiverExample(t, ctx, module, dir)
			continue
		}
		wants, ok := expect[ex.heading]
		if !ok {
			t.Fatalf("README example under %q: nothing expected of it", ex.heading)
		}
		cmd := goCommand(ctx, module, []string{"STATUSAPP_API_KEY=" + key, "STATUSAPP_BASE_URL=" + base}, "run", "./"+filepath.Base(dir))
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("%s: go run: %v\n%s", ex.heading, err, out)
		}
		for _, want := range wants {
			if !strings.Contains(string(out), want) {
				t.Fatalf("%s printed\n%s\nwithout %q", ex.heading, out, want)
			}
		}
	}
	if receivers != 1 {
		t.Fatalf("%d webhook receivers in README.md, want 1", receivers)
	}

	// What the programs made is there.
	c := admin(t)
	incidents, err := c.Incidents.List(ctx, &statusapp.IncidentListParams{Search: "Service Degradation"})
	check(t, err)
	if len(incidents.Data) == 0 || !contains(incidents.Data[0].AffectedComponents, down) {
		t.Fatalf("Service Degradation: %+v", incidents.Data)
	}
	incidents, err = c.Incidents.List(ctx, &statusapp.IncidentListParams{Search: "External Alert"})
	check(t, err)
	if len(incidents.Data) == 0 || incidents.Data[0].Description != "Alert from monitoring system" {
		t.Fatalf("External Alert: %+v", incidents.Data)
	}
	for _, name := range []string{"Website Check", "Monitor for https://api1.example.com", "Monitor for https://api2.example.com"} {
		monitors, err := c.Monitors.List(ctx, &statusapp.MonitorListParams{Search: name})
		check(t, err)
		if len(monitors.Data) == 0 || monitors.Data[0].Interval != 60 {
			t.Fatalf("%s: %+v", name, monitors.Data)
		}
	}
}

// runReceiverExample builds the webhook receiver, points an endpoint of a spare
// organization at it and has the server send it a test event, which it must accept;
// a forged one it must refuse.
func runReceiverExample(t *testing.T, ctx context.Context, module, dir string) {
	t.Helper()
	binary := filepath.Join(module, "receiver")
	if out, err := goCommand(ctx, module, nil, "build", "-o", binary, "./"+filepath.Base(dir)).CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	listener, err := net.Listen("tcp", "127.0.0.1:0")
	check(t, err)
	addr := listener.Addr().String()
	listener.Close()

	c := newClient(t, spareKey(t, 0))
	ep, err := c.Webhooks.Create(ctx, &statusapp.WebhookCreateParams{URL: "http://" + addr + "/webhooks/statusapp"})
	check(t, err)

	var logs bytes.Buffer
	cmd := exec.Command(binary)
	cmd.Env = append(os.Environ(), "STATUSAPP_WEBHOOK_SECRET="+ep.Secret, "ADDR="+addr)
	cmd.Stdout, cmd.Stderr = &logs, &logs
	check(t, cmd.Start())
	stopped := false
	stop := func() {
		if !stopped {
			stopped = true
			_ = cmd.Process.Kill()
			_ = cmd.Wait()
		}
	}
	defer stop()
	for deadline := time.Now().Add(15 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		if conn, err := net.Dial("tcp", addr); err == nil {
			conn.Close()
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the receiver does not listen")
		}
	}

	sent, err := c.Webhooks.Test(ctx, ep.ID)
	check(t, err)
	if sent.Status != "delivered" || *sent.AttemptLog[0].StatusCode != http.StatusNoContent {
		t.Fatalf("the receiver did not accept a signed delivery: %+v", sent.AttemptLog)
	}

	forged, err := http.NewRequestWithContext(ctx, "POST", "http://"+addr+"/webhooks/statusapp", bytes.NewReader(sent.Payload))
	check(t, err)
	forged.Header.Set("webhook-id", sent.EventID)
	forged.Header.Set("webhook-timestamp", fmt.Sprint(time.Now().Unix()))
	forged.Header.Set("webhook-signature", "v1,Zm9yZ2VkIHNpZ25hdHVyZSBvZiAzMiBieXRlcyEhISE=")
	resp, err := http.DefaultClient.Do(forged)
	check(t, err)
	resp.Body.Close()
	if resp.StatusCode != http.StatusBadRequest {
		t.Fatalf("a forged delivery got %d", resp.StatusCode)
	}

	stop()
	if !strings.Contains(logs.String(), sent.EventID+": webhook.test") {
		t.Fatalf("receiver logged:\n%s", logs.String())
	}
}

func contains(items []string, item string) bool {
	for _, it := range items {
		if it == item {
			return true
		}
	}
	return false
}
