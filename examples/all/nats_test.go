package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"
)

// fast are flags that make each example quick.
var fast = map[string][]string{
	"arrays":          {"-a", "2", "-b", "4", "-work", "2ms"},
	"delayed":         {"-work", "5ms"},
	"futures":         {"-questions", "10", "-delay", "5ms", "-work", "5ms"},
	"graph":           {"-n", "8", "-work", "5ms"},
	"hashfiles":       {"-files", "12", "-size", "8192", "-v"},
	"linkcheck":       {"-links", "20", "-broken", "6", "-delay", "5ms"},
	"multiprocessing": {"-calls", "6", "-delay", "20ms"},
}

// timed matches the lines whose content depends on timing or chance.
var timed = regexp.MustCompile(`\d(ms|µs|s)\b|: \d+\.\d$|^unreliable|^before computing|example +work|^running delayed calls`)

func results(out string) string {
	var keep []string
	for _, line := range strings.Split(out, "\n") {
		if !timed.MatchString(line) && strings.TrimSpace(line) != "" {
			keep = append(keep, line)
		}
	}
	return strings.Join(keep, "\n")
}

// TestExamplesOnNATS runs every example locally and then with its delayed
// calls on two worker processes of an embedded NATS JetStream server. Each
// example checks its twins against its sequential functions and fails on a
// difference; the two runs must also print the same results.
func TestExamplesOnNATS(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs every example")
	}
	root, err := moduleRoot()
	if err != nil {
		t.Fatal(err)
	}
	names, err := examples(root)
	if err != nil {
		t.Fatal(err)
	}
	srv := embeddedNATS(t)
	bin := t.TempDir()
	for _, name := range names {
		t.Run(name, func(t *testing.T) {
			exe := filepath.Join(bin, name)
			build := exec.Command("go", "build", "-o", exe, "./examples/"+name)
			build.Dir = root
			if out, err := build.CombinedOutput(); err != nil {
				t.Fatalf("go build: %v\n%s", err, out)
			}
			args := fast[name]
			local := runExample(t, exe, args, nil)

			env := []string{"DASKGEN_NATS_URL=" + srv.ClientURL()}
			startWorkers(t, 2, exe, args, env)
			remote := runExample(t, exe, args, env)
			if !strings.Contains(remote, "running delayed calls on the NATS workers") {
				t.Errorf("the run did not use the cluster:\n%s", remote)
			}
			if results(local) != results(remote) {
				t.Errorf("results differ\nlocally:\n%s\non NATS:\n%s", results(local), results(remote))
			}
		})
	}
}

// embeddedNATS starts a NATS server with JetStream in the test's process,
// on a free port of loopback, until the test ends.
func embeddedNATS(t *testing.T) *server.Server {
	t.Helper()
	srv, err := server.NewServer(&server.Options{Host: "127.0.0.1", Port: -1, JetStream: true, StoreDir: t.TempDir(), NoLog: true, NoSigs: true})
	if err != nil {
		t.Fatal(err)
	}
	srv.Start()
	t.Cleanup(func() {
		srv.Shutdown()
		srv.WaitForShutdown()
	})
	if !srv.ReadyForConnections(10 * time.Second) {
		t.Fatal("nats-server did not start")
	}
	return srv
}

// startWorkers starts n worker processes of an example, which serve its
// delayed calls until the test ends and sends them SIGTERM.
func startWorkers(t *testing.T, n int, exe string, args, env []string) []*exec.Cmd {
	t.Helper()
	var workers []*exec.Cmd
	t.Cleanup(func() {
		for _, w := range workers {
			w.Process.Signal(syscall.SIGTERM)
			w.Wait()
		}
	})
	for range n {
		w := exec.Command(exe, args...)
		w.Env = append(os.Environ(), append(env, "DASKGEN_WORKER=1")...)
		if err := w.Start(); err != nil {
			t.Fatal(err)
		}
		workers = append(workers, w)
	}
	return workers
}

func runExample(t *testing.T, exe string, args, env []string) string {
	t.Helper()
	cmd := exec.Command(exe, args...)
	cmd.Env = append(os.Environ(), env...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		t.Fatalf("%s %s: %v\n%s", filepath.Base(exe), strings.Join(args, " "), err, out.String())
	}
	return out.String()
}
