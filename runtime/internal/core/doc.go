// Package core is the scheduler behind daskgen's runtime packages: delayed
// values, task graphs, the local executor, the twins' pipelines, and what
// observes them. Its exported names are for those packages only: users call
// package runtime, generated twins runtime/twinimpl, and executors
// runtime/executor, which document them for their readers.
package core

//go:generate go run gen.go
