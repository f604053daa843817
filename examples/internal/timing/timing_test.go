package timing

import (
	"bufio"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestPrintWritesTableAndJSON(t *testing.T) {
	path := filepath.Join(t.TempDir(), "timings.jsonl")
	t.Setenv("DASKGEN_TIMINGS", path)
	tab := Table{Example: "ex"}
	tab.Add("loop", "futures", 2*time.Second, 500*time.Millisecond)
	var b strings.Builder
	if err := tab.Print(&b); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), "4.0x") || !strings.Contains(b.String(), "loop") {
		t.Fatalf("table lacks the row:\n%s", b.String())
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	var rows []Row
	for sc.Scan() {
		var r Row
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			t.Fatal(err)
		}
		rows = append(rows, r)
	}
	if len(rows) != 1 || rows[0].Work != "loop" || rows[0].Sequential != 2*time.Second {
		t.Fatalf("rows = %+v", rows)
	}
}
