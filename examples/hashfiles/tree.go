package main

import (
	"fmt"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
)

// makeTree writes files pseudo-random files of size bytes each under root,
// spread over a few directories, the same bytes for the same seed.
func makeTree(root string, files, size int) error {
	rng := rand.New(rand.NewPCG(1, 2))
	buf := make([]byte, size)
	for i := range files {
		dir := filepath.Join(root, fmt.Sprintf("dir%d", i%4), fmt.Sprintf("sub%d", i%3))
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return err
		}
		for j := range buf {
			buf[j] = byte(rng.Uint32())
		}
		if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("file%03d.bin", i)), buf, 0o644); err != nil {
			return err
		}
	}
	return nil
}

// list returns the regular files under root, relative to it, sorted.
func list(root string) ([]string, error) {
	var out []string
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil || !d.Type().IsRegular() {
			return err
		}
		rel, err := filepath.Rel(root, path)
		out = append(out, rel)
		return err
	})
	slices.Sort(out)
	return out, err
}
