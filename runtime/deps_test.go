package runtime_test

import (
	"os/exec"
	"strings"
	"testing"
)

// TestRuntimeLinksNoToolingOrNATS keeps the packages users and generated
// code link small: the analyzer's, the generator's and the cluster's
// dependencies stay out.
func TestRuntimeLinksNoToolingOrNATS(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", ".", "./twinimpl", "./executor").Output()
	if err != nil {
		t.Fatal(err)
	}
	for _, dep := range strings.Fields(string(out)) {
		for _, banned := range []string{"golang.org/x/tools", "github.com/dave/jennifer", "github.com/nats-io"} {
			if strings.HasPrefix(dep, banned) {
				t.Errorf("the runtime depends on %s", dep)
			}
		}
	}
}
