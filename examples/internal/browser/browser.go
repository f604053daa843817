// Package browser opens pages in a real headless Chromium (Debian's
// chromium package, driven with chromedp) for the tests of daskgen's
// dashboard and run report.
package browser

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// EnvArtifacts names the directory that screenshots are saved in; by
// default, daskgen-artifacts in the system's temporary directory.
const EnvArtifacts = "DASKGEN_ARTIFACTS"

// Path returns the Chromium binary: $DASKGEN_CHROMIUM, or chromium on PATH.
func Path() (string, bool) {
	if p := os.Getenv("DASKGEN_CHROMIUM"); p != "" {
		return p, true
	}
	for _, name := range []string{"chromium", "chromium-browser"} {
		if p, err := exec.LookPath(name); err == nil {
			return p, true
		}
	}
	return "", false
}

// New starts a headless Chromium for the test and returns a context that
// drives its first tab; the browser closes when the test ends. Without
// Chromium the test is skipped, except under CI=true, where .ci/deps
// installs it and its absence is a failure.
func New(t testing.TB) context.Context {
	t.Helper()
	bin, ok := Path()
	if !ok {
		if os.Getenv("CI") == "true" {
			t.Fatal("chromium is not installed; .ci/deps installs it")
		}
		t.Skip("chromium is not installed (apt-get install chromium)")
	}
	// Chromium may still write to its profile for a moment after it is
	// told to quit, so the profile is not a t.TempDir (whose removal
	// would then fail the test): it is removed after the browser, at best.
	profile, err := os.MkdirTemp("", "daskgen-chromium-*")
	if err != nil {
		t.Fatal(err)
	}
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(bin),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.UserDataDir(profile),
		chromedp.WindowSize(1400, 1000),
		// This machine's network is closed: no background connections.
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("allow-file-access-from-files", true),
	}
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(actx)
	if err := chromedp.Run(ctx); err != nil {
		cancel()
		cancelAlloc()
		os.RemoveAll(profile)
		t.Fatalf("starting chromium: %v", err)
	}
	t.Cleanup(func() {
		cancel()
		cancelAlloc()
		for range 20 {
			if os.RemoveAll(profile) == nil {
				return
			}
			time.Sleep(50 * time.Millisecond)
		}
	})
	return ctx
}

// Screenshot saves a PNG of the whole page as name in the artifacts
// directory and returns its path.
func Screenshot(t testing.TB, ctx context.Context, name string) string {
	t.Helper()
	dir := os.Getenv(EnvArtifacts)
	if dir == "" {
		dir = filepath.Join(os.TempDir(), "daskgen-artifacts")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	var png []byte
	if err := chromedp.Run(ctx, chromedp.FullScreenshot(&png, 100)); err != nil {
		t.Fatalf("screenshot: %v", err)
	}
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, png, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshot: %s", path)
	return path
}

// Poll evaluates the JavaScript expression js into v every 100ms until ok
// returns true or timeout passes; it returns the last error or false.
func Poll[T any](ctx context.Context, timeout time.Duration, js string, ok func(T) bool) (T, bool, error) {
	deadline := time.Now().Add(timeout)
	var v T
	var err error
	for time.Now().Before(deadline) {
		err = chromedp.Run(ctx, chromedp.Evaluate(js, &v))
		if err == nil && ok(v) {
			return v, true, nil
		}
		time.Sleep(100 * time.Millisecond)
	}
	return v, false, err
}
