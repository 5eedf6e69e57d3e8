// expfmt-verdicts prints, for each input file, whether the Prometheus text parser of
// github.com/prometheus/common/expfmt (Debian's golang-github-prometheus-common-dev) accepts it:
// "PATH<TAB>ok" or "PATH<TAB>error<TAB>MESSAGE". Directories are read one level deep.
// `make fuzz-diff` compares these verdicts with inferscale's parser (.ci/fuzz-diff).
package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/prometheus/common/expfmt"
)

func main() {
	var files []string
	for _, arg := range os.Args[1:] {
		info, err := os.Stat(arg)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(2)
		}
		if !info.IsDir() {
			files = append(files, arg)
			continue
		}
		entries, err := os.ReadDir(arg)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(2)
		}
		for _, e := range entries {
			if !e.IsDir() {
				files = append(files, filepath.Join(arg, e.Name()))
			}
		}
	}
	sort.Strings(files)
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(2)
		}
		var parser expfmt.TextParser
		if _, err := parser.TextToMetricFamilies(bytes.NewReader(data)); err != nil {
			fmt.Printf("%s\terror\t%s\n", f, strings.ReplaceAll(err.Error(), "\n", " "))
		} else {
			fmt.Printf("%s\tok\n", f)
		}
	}
}
