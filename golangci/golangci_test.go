package golangci_test

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/daskgen/daskgen/golangci"
)

const fixture = `package main

import "fmt"

//daskgen:delayed
func total(xs []int) int {
	s := 0
	for _, x := range xs {
		s += x
	}
	return s
}

//daskgen:parallel
func sums(n int) []int {
	var out []int
	buf := make([]int, 3)
	for i := 0; i < n; i++ {
		buf[0] = i
		out = append(out, total(buf))
	}
	return out
}

//daskgen:parallel
func nothing(xs []int) int { return len(xs) }

func main() { fmt.Println(sums(3), nothing(nil)) }
`

const (
	refusal = "main.go:19:3: buf is passed to delayed call total at line 20 and changed here before the graph runs, so the task could see the change; pass a copy (for a slice, slices.Clone(buf)) or change a new value (daskgen)"
	note    = "main.go:25:1: parallel function nothing calls no delayed function"
)

// customMain is the main package `golangci-lint custom` builds: golangci-lint's
// command with the plugin imported for its registration.
const customMain = `package main

import (
	"fmt"
	"os"

	"github.com/golangci/golangci-lint/v2/pkg/commands"
	"github.com/golangci/golangci-lint/v2/pkg/exitcodes"

	_ "github.com/daskgen/daskgen/golangci"
)

func main() {
	info := commands.BuildInfo{Version: "custom", Commit: "?", GoVersion: "?", Date: "?"}
	if err := commands.Execute(info); err != nil {
		fmt.Fprintf(os.Stderr, "The command is terminated due to an error: %v\n", err)
		os.Exit(exitcodes.Failure)
	}
}
`

func write(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for name, body := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func command(dir, name string, args ...string) (string, int, error) {
	cmd := exec.Command(name, args...)
	cmd.Dir = dir
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		return out.String(), ee.ExitCode(), nil
	}
	return out.String(), 0, err
}

// TestCustomGolangciLint builds a custom golangci-lint as
// `golangci-lint custom` does from docs/golangci/.custom-gcl.yml (the
// golangci-lint version it names, from the module proxy, with this
// checkout of the plugin), and runs it with docs/golangci/.golangci.yml on a
// module with a refused loop and a note.
func TestCustomGolangciLint(t *testing.T) {
	if testing.Short() {
		t.Skip("builds golangci-lint (about a minute)")
	}
	custom, err := os.ReadFile("../docs/golangci/.custom-gcl.yml")
	if err != nil {
		t.Fatal(err)
	}
	version := regexp.MustCompile(`(?m)^version: (v2\.\S+)$`).FindSubmatch(custom)
	if version == nil || !strings.Contains(string(custom), "import: github.com/daskgen/daskgen/golangci\n") {
		t.Fatalf(".custom-gcl.yml names no golangci-lint v2 version or not this plugin:\n%s", custom)
	}
	config, err := os.ReadFile("../docs/golangci/.golangci.yml")
	if err != nil {
		t.Fatal(err)
	}
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}

	build := t.TempDir()
	write(t, build, map[string]string{
		"main.go": customMain,
		"go.mod": "module example.com/customgcl\n\ngo 1.24.0\n\nrequire (\n\tgithub.com/golangci/golangci-lint/v2 " + string(version[1]) +
			"\n\tgithub.com/daskgen/daskgen v0.0.0\n)\n\nreplace github.com/daskgen/daskgen => " + root + "\n",
	})
	t.Setenv("GOFLAGS", "-mod=mod")
	if out, code, err := command(build, "go", "mod", "tidy"); err != nil || code != 0 {
		t.Fatalf("go mod tidy for golangci-lint %s: exit %d, %v\n%s", version[1], code, err, out)
	}
	bin := filepath.Join(build, "custom-gcl")
	if out, code, err := command(build, "go", "build", "-o", bin, "."); err != nil || code != 0 {
		t.Fatalf("go build of the custom golangci-lint: exit %d, %v\n%s", code, err, out)
	}

	mod := t.TempDir()
	write(t, mod, map[string]string{
		"go.mod":        "module example.com/m\n\ngo 1.24\n",
		"main.go":       fixture,
		".golangci.yml": string(config),
	})
	out, code, err := command(mod, bin, "run", "./...")
	if err != nil || code != 1 || !strings.Contains(out, refusal) || strings.Contains(out, "nothing calls") {
		t.Errorf("custom-gcl run: exit %d, %v, output:\n%s\nwant exit 1, %q and no note", code, err, out, refusal)
	}

	// notes: true reports the notes too.
	write(t, mod, map[string]string{".golangci.yml": strings.Replace(string(config), "notes: false", "notes: true", 1)})
	out, code, err = command(mod, bin, "run", "./...")
	if err != nil || code != 1 || !strings.Contains(out, refusal) || !strings.Contains(out, note) {
		t.Errorf("custom-gcl run with notes: true: exit %d, %v, output:\n%s\nwant exit 1, %q and %q", code, err, out, refusal, note)
	}

	// Fixed code passes.
	fixed := strings.Replace(fixture, "total(buf)", "total(slices.Clone(buf))", 1)
	fixed = strings.Replace(fixed, `import "fmt"`, "import (\n\t\"fmt\"\n\t\"slices\"\n)", 1)
	write(t, mod, map[string]string{"main.go": fixed, ".golangci.yml": string(config)})
	if out, code, err := command(mod, bin, "run", "./..."); err != nil || code != 0 {
		t.Errorf("custom-gcl run on fixed code: exit %d, %v, output:\n%s", code, err, out)
	}
}

// TestSettings: unknown settings are an error that names them, so a typo in
// .golangci.yml does not silently change what is reported.
func TestSettings(t *testing.T) {
	if _, err := golangci.New(map[string]any{"notes": true}); err != nil {
		t.Errorf("notes: true: %v", err)
	}
	_, err := golangci.New(map[string]any{"note": true})
	if err == nil || !strings.Contains(err.Error(), `"note"`) {
		t.Errorf("unknown setting: got %v, want an error naming it", err)
	}
}
