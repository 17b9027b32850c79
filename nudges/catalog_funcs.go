package nudges

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"text/template"

	"coach/signals"
)

// maxNamed is how many reports a list names before "and 2 others"; a
// short list (few) names maxFew.
const (
	maxNamed = 6
	maxFew   = 3
)

// templateFuncs are the helpers the catalog's templates may use:
//
//	names .Facts.Reports            "Ana, Ben and Chloé"
//	names .Facts.Reports "or"       "Ana, Ben or Chloé"
//	each .Facts.Reports "{count} to {name}"   "4 to Ana and 2 to Ben"
//	                                (also {days}, {ndays} "1 day"/"21 days",
//	                                {share} as pct, {percent}; optional "or")
//	few .Facts.Reports "{name}"     each, naming at most 3: "A, B, C and 2 others"
//	sep $i .Facts.Reports           "", ", " or " and " before item i, in a range
//	first .Facts.Reports "fallback" the first report's name, else fallback
//	pct .Facts.Share                "23%", never 0% or 100% for a share between
//	percent .Facts.Share            "23%", never 0% for a share above it
//	pctnum .Facts.Share             23 (rounded half up), for a short cell
//	hours .Facts.MedianMinutes      "5 h 20 min", "under a minute"
//	worktime .Facts.MedianMinutes   "5 h 20 min", "0 min"
//	hm .Facts.MedianMinutes         "5h20", "45m", for a short cell
//	plural .Facts.Count "reply" "replies"
//	uncounted .Facts.Reports        the reports whose Count is 0 ("got none")
//	counted .Facts.Reports          the others
func templateFuncs() template.FuncMap {
	return template.FuncMap{
		"uncounted": func(rs []signals.ReportFact) []signals.ReportFact { return byCount(rs, false) },
		"counted":   func(rs []signals.ReportFact) []signals.ReportFact { return byCount(rs, true) },
		"names":     func(rs []signals.ReportFact, conj ...string) string { return each(rs, "{name}", conj...) },
		"each":      each,
		"few":       func(rs []signals.ReportFact, pattern string) string { return list(rs, maxFew, pattern, nil) },
		"sep":       sep,
		"first":     first,
		"pct":       pct,
		"percent":   percent,
		"pctnum":    func(x float64) int { return int(x*100 + 0.5) },
		"hours":     hours,
		"worktime":  worktime,
		"hm":        hm,
		"plural": func(n int, one, many string) string {
			if n == 1 {
				return one
			}
			return many
		},
	}
}

// byCount keeps the reports with a Count (counted) or without one.
func byCount(rs []signals.ReportFact, counted bool) []signals.ReportFact {
	var out []signals.ReportFact
	for _, r := range rs {
		if (r.Count > 0) == counted {
			out = append(out, r)
		}
	}
	return out
}

// each formats every report with pattern and joins them as a list; past
// maxNamed it ends "and N others".
func each(rs []signals.ReportFact, pattern string, conj ...string) string {
	return list(rs, maxNamed, pattern, conj)
}

// list is each naming at most most reports.
func list(rs []signals.ReportFact, most int, pattern string, conj []string) string {
	items := make([]string, 0, min(len(rs), most+1))
	for i, r := range rs {
		if i == most && len(rs) > most+1 {
			items = append(items, strconv.Itoa(len(rs)-most)+" others")
			break
		}
		ndays := count(r.Days, "day")
		items = append(items, strings.NewReplacer(
			"{name}", r.Name,
			"{days}", strconv.Itoa(r.Days),
			"{ndays}", ndays,
			"{count}", strconv.Itoa(r.Count),
			"{share}", pct(r.Share),
			"{percent}", percent(r.Share),
		).Replace(pattern))
	}
	var b strings.Builder
	for i, it := range items {
		b.WriteString(separator(i, len(items), conj))
		b.WriteString(it)
	}
	return b.String()
}

// sep is the separator before item i of a list of rs, for templates that
// range over reports themselves.
func sep(i int, rs []signals.ReportFact, conj ...string) string {
	return separator(i, len(rs), conj)
}

func separator(i, n int, conj []string) string {
	switch {
	case i == 0:
		return ""
	case i < n-1:
		return ", "
	case len(conj) > 0:
		return " " + conj[0] + " "
	default:
		return " and "
	}
}

func first(rs []signals.ReportFact, fallback string) string {
	if len(rs) == 0 || rs[0].Name == "" {
		return fallback
	}
	return rs[0].Name
}

// pct formats a share as a whole percentage, never rounding a non-zero
// share down to 0% or a partial one up to 100%.
func pct(x float64) string {
	switch {
	case x > 0 && x < 0.005:
		return "under 1%"
	case x < 1 && x > 0.995:
		return "over 99%"
	}
	return strconv.Itoa(int(math.Round(x*100))) + "%"
}

// percent is a share as a whole percentage, never rounding a non-zero
// share down to 0%.
func percent(x float64) string {
	if x > 0 && x < 0.005 {
		return "under 1%"
	}
	return strconv.Itoa(int(math.Round(x*100))) + "%"
}

// worktime formats working minutes as the App Home does: "0 min", "45
// min", "2 h", "5 h 20 min".
func worktime(m int) string {
	switch {
	case m < 60:
		return strconv.Itoa(m) + " min"
	case m%60 == 0:
		return strconv.Itoa(m/60) + " h"
	}
	return strconv.Itoa(m/60) + " h " + strconv.Itoa(m%60) + " min"
}

// hm formats minutes shortly: "45m", "5h00", "5h20".
func hm(m int) string {
	if m < 60 {
		return fmt.Sprintf("%dm", m)
	}
	return fmt.Sprintf("%dh%02d", m/60, m%60)
}

// hours formats working minutes: "45 min", "2 h", "5 h 20 min".
func hours(minutes int) string {
	h, m := minutes/60, minutes%60
	switch {
	case minutes < 1:
		return "under a minute"
	case h == 0:
		return fmt.Sprintf("%d min", m)
	case m == 0:
		return fmt.Sprintf("%d h", h)
	}
	return fmt.Sprintf("%d h %d min", h, m)
}
