// Package golangci is daskgen's golangci-lint module plugin: it registers
// daskgen's analyzer with github.com/golangci/plugin-module-register under
// the name "daskgen", so that a golangci-lint v2 built by
// `golangci-lint custom` reports what daskgen vet reports, in the team's
// usual lint run and in the editors that show golangci-lint's findings.
//
// The package lives in daskgen's module, next to the analyzer it registers,
// so a plugin of one version always checks the rules of that version; its
// one dependency, plugin-module-register, is a single small package that
// needs nothing golang.org/x/tools does not already bring. golangci-lint
// itself is no dependency of daskgen's module: `golangci-lint custom` puts
// it and this package together in a build of its own.
//
// A team copies docs/golangci/.custom-gcl.yml and docs/golangci/.golangci.yml
// into its module, runs `golangci-lint custom` once, and lints with the
// ./custom-gcl binary it writes.
//
// By default the plugin reports refusals only (what daskgen would refuse to
// generate: see analyzer.Refuses), since golangci-lint fails on every issue
// it reports. The setting notes: true reports the notes too (where a loop
// waits, directives with nothing to do).
package golangci

import (
	"fmt"

	"github.com/golangci/plugin-module-register/register"
	"golang.org/x/tools/go/analysis"

	"github.com/daskgen/daskgen/analyzer"
)

// Name is the name the plugin registers, the key of its entry under
// linters.settings.custom in .golangci.yml.
const Name = "daskgen"

// Settings are the plugin's settings, under
// linters.settings.custom.daskgen.settings in .golangci.yml.
type Settings struct {
	// Notes reports notes as well as refusals.
	Notes bool `json:"notes"`
}

func init() {
	register.Plugin(Name, New)
}

// New returns the plugin for the settings golangci-lint decoded from
// .golangci.yml.
func New(settings any) (register.LinterPlugin, error) {
	s, err := register.DecodeSettings[Settings](settings)
	if err != nil {
		return nil, fmt.Errorf("daskgen plugin settings: %w", err)
	}
	return &plugin{settings: s}, nil
}

type plugin struct {
	settings Settings
}

// BuildAnalyzers returns daskgen's analyzer, without its notes unless the
// settings ask for them.
func (p *plugin) BuildAnalyzers() ([]*analysis.Analyzer, error) {
	if p.settings.Notes {
		return []*analysis.Analyzer{analyzer.Analyzer}, nil
	}
	a := *analyzer.Analyzer
	a.Run = func(pass *analysis.Pass) (any, error) {
		report := pass.Report
		pass.Report = func(d analysis.Diagnostic) {
			if analyzer.Refuses(d.Category) {
				report(d)
			}
		}
		return analyzer.Analyzer.Run(pass)
	}
	return []*analysis.Analyzer{&a}, nil
}

// GetLoadMode says that the analyzer needs type information.
func (p *plugin) GetLoadMode() string {
	return register.LoadModeTypesInfo
}
