package main

//go:generate go tool daskgen

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// hashFile returns the SHA-256 of a file under root, in hex, and its size,
// as sha256sum computes it.
//
//daskgen:delayed
func hashFile(root, rel string) (string, int64, error) {
	f, err := os.Open(filepath.Join(root, rel))
	if err != nil {
		return "", 0, err
	}
	defer f.Close()
	h := sha256.New()
	n, err := io.Copy(h, f)
	if err != nil {
		return "", 0, err
	}
	return hex.EncodeToString(h.Sum(nil)), n, nil
}

// hashAll prints "sum  path" for each file, in the order given, as
// sha256sum does, and returns the bytes hashed. It is plain sequential code;
// daskgen writes hashAllParallel, which hashes the files on every core and
// prints exactly the same lines.
//
//daskgen:parallel
func hashAll(w io.Writer, root string, files []string) (int64, error) {
	var total int64
	for _, rel := range files {
		sum, n, err := hashFile(root, rel)
		if err != nil {
			return total, fmt.Errorf("hash %s: %w", rel, err)
		}
		fmt.Fprintf(w, "%s  %s\n", sum, rel)
		total += n
	}
	return total, nil
}
