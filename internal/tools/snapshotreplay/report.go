package main

import (
	"fmt"
	"io"
	"os/exec"
	"sort"
	"strings"
)

func execOutput(name string, args ...string) (string, error) {
	out, err := exec.Command(name, args...).Output()
	return string(out), err
}

type counts struct{ matched, run, excluded int }

func report(w io.Writer, label string, results []result, verbose bool) {
	fmt.Fprintf(w, "Step Functions snapshot replay of %s\n", label)
	fmt.Fprintf(w, "%d recorded executions (snapshot histories)\n\n", len(results))

	langs := []string{"JSONPath", "JSONata", "JSONPath+JSONata", "?"}
	per := map[string]*counts{}
	for _, l := range langs {
		per[l] = &counts{}
	}
	total := &counts{}
	for _, r := range results {
		c := per[r.lang]
		for _, c := range []*counts{c, total} {
			switch r.kind {
			case matched:
				c.matched++
				c.run++
			case mismatch:
				c.run++
			case excluded:
				c.excluded++
			}
		}
	}
	fmt.Fprintf(w, "%-28s %8s %6s %9s %8s\n", "query language", "matched", "run", "match %", "excluded")
	for _, l := range append(langs, "total") {
		c := total
		name := l
		if l != "total" {
			c = per[l]
		}
		if l == "?" {
			name = "? (template not resolved)"
		}
		pct := "-"
		if c.run > 0 {
			pct = fmt.Sprintf("%.1f", 100*float64(c.matched)/float64(c.run))
		}
		fmt.Fprintf(w, "%-28s %8d %6d %9s %8d\n", name, c.matched, c.run, pct, c.excluded)
	}

	// Exclusions by reason and language; an execution needing several
	// external resources counts under each.
	fmt.Fprintf(w, "\nExcluded, by reason (needs: one execution can count under several):\n")
	type key struct{ lang, reason string }
	ex := map[key]int{}
	exIDs := map[key][]string{}
	for _, r := range results {
		if r.kind != excluded {
			continue
		}
		reasons := []string{r.reason}
		if len(r.needs) > 0 {
			reasons = nil
			for _, n := range r.needs {
				reasons = append(reasons, "needs "+n)
			}
		}
		for _, re := range reasons {
			k := key{r.lang, re}
			ex[k]++
			exIDs[k] = append(exIDs[k], r.id)
		}
	}
	for _, l := range langs {
		var ks []key
		for k := range ex {
			if k.lang == l {
				ks = append(ks, k)
			}
		}
		if len(ks) == 0 {
			continue
		}
		sort.Slice(ks, func(i, j int) bool {
			if ex[ks[i]] != ex[ks[j]] {
				return ex[ks[i]] > ex[ks[j]]
			}
			return ks[i].reason < ks[j].reason
		})
		fmt.Fprintf(w, "  %s:\n", l)
		for _, k := range ks {
			fmt.Fprintf(w, "    %5d  %s\n", ex[k], k.reason)
			if verbose {
				for _, id := range exIDs[k] {
					fmt.Fprintf(w, "             %s\n", id)
				}
			}
		}
	}

	// Mismatches grouped by reason.
	groups := map[string][]result{}
	for _, r := range results {
		if r.kind == mismatch {
			groups[r.reason] = append(groups[r.reason], r)
		}
	}
	names := make([]string, 0, len(groups))
	for g := range groups {
		names = append(names, g)
	}
	sort.Slice(names, func(i, j int) bool {
		if len(groups[names[i]]) != len(groups[names[j]]) {
			return len(groups[names[i]]) > len(groups[names[j]])
		}
		return names[i] < names[j]
	})
	n := 0
	for _, g := range names {
		n += len(groups[g])
	}
	fmt.Fprintf(w, "\nMismatches: %d in %d groups\n", n, len(names))
	for i, g := range names {
		fmt.Fprintf(w, "  %2d. %4d  %s\n", i+1, len(groups[g]), g)
	}
	fmt.Fprintf(w, "\nMismatch details:\n")
	for _, g := range names {
		fmt.Fprintf(w, "\n== %s (%d)\n", g, len(groups[g]))
		for _, r := range groups[g] {
			fmt.Fprintf(w, "  [%s] %s\n", r.lang, r.id)
			if r.detail != "" {
				fmt.Fprintf(w, "      %s\n", strings.ReplaceAll(r.detail, "\n", " "))
			}
		}
	}
	if verbose {
		fmt.Fprintf(w, "\nMatched:\n")
		for _, r := range results {
			if r.kind == matched {
				fmt.Fprintf(w, "  [%s] %s\n", r.lang, r.id)
			}
		}
	}
}
