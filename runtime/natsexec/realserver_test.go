package natsexec_test

import (
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// Real nats-server processes, for the tests that run the README's recipes
// as a user does, with `kill -9` where the embedded servers of the other
// tests can only shut down. The binary is built once per test binary from
// the module's own dependency (go.mod names it in a tool line, which pins
// its version and its go.sum entries), so the tests need neither a network
// nor an installed nats-server.

// natsServer is the binary, built by the first test that needs it; TestMain
// removes its folder when the tests end.
var natsServer struct {
	once sync.Once
	dir  string
	path string
	err  error
}

// natsServerBinary returns the path of the nats-server binary, and builds
// it on first use: a plain build (no -race) of go.mod's version, from the
// module root, which the build cache makes fast after the first time. A
// build that fails fails the test with its output; -short skips the test.
func natsServerBinary(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("builds and starts the nats-server binary")
	}
	natsServer.once.Do(func() {
		dir, err := os.MkdirTemp("", "daskgen-nats-server-")
		if err != nil {
			natsServer.err = err
			return
		}
		natsServer.dir = dir
		path := filepath.Join(dir, "nats-server")
		cmd := exec.Command("go", "build", "-o", path, "github.com/nats-io/nats-server/v2")
		cmd.Dir = filepath.Join("..", "..") // the module root: go.mod's version
		begin := time.Now()
		if out, err := cmd.CombinedOutput(); err != nil {
			natsServer.err = fmt.Errorf("building nats-server (go build -o %s github.com/nats-io/nats-server/v2, in the module root): %v\n%s", path, err, out)
			return
		}
		natsServer.path = path
		if took := time.Since(begin); took > 5*time.Second {
			fmt.Fprintf(os.Stderr, "built nats-server in %v\n", took.Round(100*time.Millisecond))
		}
	})
	if natsServer.err != nil {
		t.Fatal(natsServer.err)
	}
	return natsServer.path
}

// removeNATSServerBinary removes what natsServerBinary built.
func removeNATSServerBinary() {
	if natsServer.dir != "" {
		os.RemoveAll(natsServer.dir)
	}
}

// natsProc is a nats-server process.
type natsProc struct {
	name  string // its -n
	port  int    // where clients connect
	mport int    // where it serves monitoring (-m): /healthz
	cmd   *exec.Cmd
	log   string        // its output
	done  chan struct{} // closed when it has exited
	exit  error         // then, how
}

// kill9 kills the server as `kill -9` does (no shutdown, no goodbye to the
// cluster), and returns once it is dead.
func (p *natsProc) kill9() error {
	err := p.cmd.Process.Signal(syscall.SIGKILL)
	<-p.done
	return err
}

// stop ends the server with SIGTERM, as an operator does, or with SIGKILL
// if it has not exited within d.
func (p *natsProc) stop(d time.Duration) {
	p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.done:
	case <-time.After(d):
		p.cmd.Process.Kill()
		<-p.done
	}
}

// recipeCluster starts the README's cluster: n nats-server processes, each
// run as the README runs them,
//
//	nats-server -c docs/nats-quickstart.conf -js -n sN -a 127.0.0.1 -p PORT -m MPORT --cluster_name daskgen \
//	  --cluster nats://127.0.0.1:CPORT --routes ROUTES -sd DIR/sN
//
// with free ports instead of 4222-4224, 8222-8224 and 6222-6224, so that
// the test runs beside a user's server, and env (the passwords the
// configuration reads) in their environment. It returns once each listens
// for clients on its own port, as its log says (the flags, not the file's
// listen line, say where), within 30 s: the cluster may not have a
// JetStream meta leader yet, which the README's clients and workers wait
// for themselves. The servers end with the test; a failed test logs their
// output.
func recipeCluster(t *testing.T, n int, env []string) []*natsProc {
	t.Helper()
	procs := recipeProcs(t, n, env)
	for _, p := range procs {
		p.start(t)
	}
	waitListening(t, procs...)
	return procs
}

// recipeProcs prepares the n servers of recipeCluster, started by none
// yet: a test starts them with start, and waits with waitListening. Those
// started end with the test.
func recipeProcs(t *testing.T, n int, env []string) []*natsProc {
	t.Helper()
	bin := natsServerBinary(t)
	conf, err := filepath.Abs(filepath.Join("..", "..", "docs", "nats-quickstart.conf"))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	// Three ports a server, all different: freePort closes its listener,
	// so two calls may return the same port.
	taken := map[int]bool{}
	port := func() int {
		for {
			if p := freePort(t); !taken[p] {
				taken[p] = true
				return p
			}
		}
	}
	ports, mports, routes := make([]int, n), make([]int, n), make([]string, n)
	for i := range n {
		ports[i], mports[i] = port(), port()
		routes[i] = fmt.Sprintf("nats://127.0.0.1:%d", port())
	}
	var procs []*natsProc
	t.Cleanup(func() { // before t.TempDir's: the stores go once the servers have
		for _, p := range procs {
			if p.cmd.Process == nil {
				continue // never started
			}
			p.stop(10 * time.Second)
			if t.Failed() {
				b, _ := os.ReadFile(p.log)
				t.Logf("server %s's log:\n%s", p.name, b)
			}
		}
	})
	for i := range n {
		name := fmt.Sprintf("s%d", i+1)
		p := &natsProc{name: name, port: ports[i], mport: mports[i], log: filepath.Join(dir, name+".log"), done: make(chan struct{})}
		p.cmd = exec.Command(bin, "-c", conf, "-js", "-n", name, "-a", "127.0.0.1", "-p", fmt.Sprint(p.port), "-m", fmt.Sprint(p.mport),
			"--cluster_name", "daskgen", "--cluster", routes[i], "--routes", strings.Join(routes, ","),
			"-sd", filepath.Join(dir, name))
		p.cmd.Env = append(os.Environ(), env...)
		procs = append(procs, p)
	}
	return procs
}

// start starts the server prepared by recipeProcs.
func (p *natsProc) start(t *testing.T) {
	t.Helper()
	out, err := os.Create(p.log)
	if err != nil {
		t.Fatal(err)
	}
	p.cmd.Stdout, p.cmd.Stderr = out, out
	err = p.cmd.Start()
	out.Close() // the server has its own copy
	if err != nil {
		t.Fatal(err)
	}
	go func() {
		p.exit = p.cmd.Wait()
		close(p.done)
	}()
}

// waitListening returns once each of procs listens for clients on its own
// port, as its log says, within 30 s.
func waitListening(t *testing.T, procs ...*natsProc) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for _, p := range procs {
		want := fmt.Sprintf("Listening for client connections on 127.0.0.1:%d", p.port)
		for {
			b, _ := os.ReadFile(p.log)
			if strings.Contains(string(b), want) {
				break
			}
			select {
			case <-p.done:
				b, _ = os.ReadFile(p.log) // all of it, now that it has exited
				t.Fatalf("server %s exited (%v) before it listened on 127.0.0.1:%d; its log:\n%s", p.name, p.exit, p.port, b)
			default:
			}
			if time.Now().After(deadline) {
				t.Fatalf("server %s did not listen on 127.0.0.1:%d within 30 s; its log:\n%s", p.name, p.port, b)
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
}

// healthz returns the status of a GET of http://127.0.0.1:mport/healthz,
// the server's health: 200 once JetStream has a meta leader, this server
// is current with it and has recovered what it stores; 503 before. The
// tests use it to show that a client started before JetStream was ready.
func healthz(mport int) (int, error) {
	c := http.Client{Timeout: time.Second}
	resp, err := c.Get(fmt.Sprintf("http://127.0.0.1:%d/healthz", mport))
	if err != nil {
		return 0, err
	}
	resp.Body.Close()
	return resp.StatusCode, nil
}

// recipeURL is the README's $C or $W: user:password@ each server, comma
// separated.
func recipeURL(procs []*natsProc, user, password string) string {
	var urls []string
	for _, p := range procs {
		urls = append(urls, fmt.Sprintf("nats://%s:%s@127.0.0.1:%d", user, password, p.port))
	}
	return strings.Join(urls, ",")
}

// quickstartProc starts the README's single server as a process:
//
//	nats-server -c docs/nats-quickstart.conf -sd DIR
//
// with a free port (-p) instead of the file's 4222, and env (the
// passwords the configuration reads) in its environment. It returns once
// the server listens; it ends with the test, whose failure logs its output.
func quickstartProc(t *testing.T, env []string) *natsProc {
	t.Helper()
	bin := natsServerBinary(t)
	conf, err := filepath.Abs(filepath.Join("..", "..", "docs", "nats-quickstart.conf"))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	p := &natsProc{name: "quickstart", port: freePort(t), log: filepath.Join(dir, "server.log"), done: make(chan struct{})}
	p.cmd = exec.Command(bin, "-c", conf, "-p", fmt.Sprint(p.port), "-sd", filepath.Join(dir, "store"))
	p.cmd.Env = append(os.Environ(), env...)
	t.Cleanup(func() { // before t.TempDir's
		if p.cmd.Process == nil {
			return
		}
		p.stop(10 * time.Second)
		if t.Failed() {
			b, _ := os.ReadFile(p.log)
			t.Logf("the server's log:\n%s", b)
		}
	})
	p.start(t)
	waitListening(t, p)
	return p
}
