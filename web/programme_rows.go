package web

import (
	"html/template"
	"strings"
	"time"

	"github.com/kamflow/kamflow/store"
)

// The programme page's longest tables — its audit trail (a page of 25
// entries) and its jour fixes (up to 200 meetings) — are written here
// rather than by programme.html, for the reason list_rows.go gives: a
// template's fields, functions and escapers are reflective calls per row.
// Every text is escaped as html/template escapes it (htmlText); a test
// holds the rows to the bytes the template wrote, in both languages.

// auditRows are the audit trail's rows: when, what, which phase, who, and
// the comment in the reader's language.
func (l lang) auditRows(zone *time.Location, events []store.ProgrammeEvent, names eventNames) template.HTML {
	var b strings.Builder
	b.Grow(200 * len(events))
	for _, ev := range events {
		b.WriteString(`<tr><td>` + htmlText.Replace(l.formatWhen(zone, ev.At)) + `</td><td>` + htmlText.Replace(l.label("event", ev.Kind)) +
			`</td><td>` + htmlText.Replace(l.translate(phaseTitle(ev.Phase))) + `</td><td>` + htmlText.Replace(ev.Actor) +
			`</td><td>` + htmlText.Replace(l.eventComment(ev, names)) + `</td></tr>`)
	}
	return template.HTML(b.String())
}

// jourFixeRows are the programme's jour fixes: the meeting (a link to it),
// the key account it is for (or all), and whether it was held.
func (l lang) jourFixeRows(zone *time.Location, list []jourFixeRow) template.HTML {
	all, held, collecting := htmlText.Replace(l.translate("all key accounts")), htmlText.Replace(l.translate("held")),
		htmlText.Replace(l.translate("collecting input"))
	var b strings.Builder
	b.Grow(150 * len(list))
	for _, j := range list {
		b.WriteString(`<tr><td><a href="/jour-fixes/` + uitoa(j.ID) + `">` + htmlText.Replace(l.formatWhen(zone, j.MeetingAt)) + `</a></td><td>`)
		if j.Scope != "" {
			b.WriteString(htmlText.Replace(j.Scope))
		} else {
			b.WriteString(all)
		}
		b.WriteString(`</td><td>`)
		if j.Status == "held" {
			b.WriteString(held)
		} else {
			b.WriteString(collecting)
		}
		b.WriteString(`</td></tr>`)
	}
	return template.HTML(b.String())
}

// approveConsequence is what approving a phase tells the committee.
const approveConsequence = "The phase is closed as approved and the next phase starts at once (after the last one, the programme is completed); an approval cannot be taken back."

// phaseRows are the programme's phases: label (gates marked), status, due
// date, what was handed in and decided, and the steps the reader may take
// — the lead's submit form for a phase in progress (or why it completes by
// itself), the committee's approve and reject for one handed in.
func (l lang) phaseRows(csrf string, p *programmePage) (template.HTML, error) {
	st := &p.State
	active := st.Status == "active"
	id := uitoa(p.ID)
	csrfValue := htmlText.Replace(csrf)
	fieldError := func(b *strings.Builder, msg string) {
		if msg != "" {
			b.WriteString(`<p class="error">` + htmlText.Replace(l.translate(msg)) + `</p>`)
		}
	}
	var b strings.Builder
	b.Grow(600 * len(st.Phases))
	for _, ph := range st.Phases {
		phase := string(ph.Phase)
		b.WriteString("\n<tr id=\"phase-" + htmlText.Replace(phase) + `" `)
		if ph.Status != "done" && p.Now.After(ph.Due) {
			b.WriteString(`class="overdue"`)
		}
		b.WriteString(">\n  <td>" + htmlText.Replace(l.translate(phaseTitle(phase))))
		if ph.Gate {
			b.WriteString(` <small class="muted">` + htmlText.Replace(l.translate("gate")) + `</small>`)
		}
		b.WriteString("</td>\n  <td>" + htmlText.Replace(l.label("status", string(ph.Status))) + "</td>\n  <td>" + htmlText.Replace(l.formatDate(ph.Due)) + "</td>\n  <td>")
		if ph.Result != "" {
			b.WriteString(`<div class="result">` + htmlText.Replace(l.phaseResult(*st, ph.Phase, ph.Result)) + `</div>`)
		}
		b.WriteString("\n      ")
		if ph.SubmittedBy != "" {
			b.WriteString(`<small class="muted">` + htmlText.Replace(l.translate("submitted by")) + ` ` + htmlText.Replace(ph.SubmittedBy) + `</small>`)
		}
		b.WriteString("\n      ")
		if ph.ApprovedBy != "" {
			b.WriteString(`<small class="muted">` + htmlText.Replace(l.translate("· approved by")) + ` ` + htmlText.Replace(ph.ApprovedBy) + `</small>`)
		}
		b.WriteString("\n      ")
		if ph.LastRejection != "" {
			b.WriteString(`<div class="error">` + htmlText.Replace(l.translate("Sent back:")) + ` ` + htmlText.Replace(ph.LastRejection) + `</div>`)
		}
		b.WriteString("</td>\n  <td class=\"no-print\">\n  ")
		leadMayHandIn := p.IsLead && ph.Status == "in_progress" && active
		switch {
		case leadMayHandIn && st.CompletesByItself(ph.Phase):
			b.WriteString("\n    <p class=\"muted\">" + htmlText.Replace(l.translate("This phase completes by itself when everything it waits for is there.")))
			if ph.Phase == "training" {
				b.WriteString(` <a href="#training-standing">` + htmlText.Replace(l.translate("Who is missing which course")) + `</a>`)
			}
			b.WriteString("</p>\n  ")
		case leadMayHandIn:
			b.WriteString("\n    ")
			if ph.Phase == st.CurrentPhase {
				for _, h := range p.Hindrances {
					if h.Field == "" {
						b.WriteString(`<p class="warning">` + htmlText.Replace(l.translate("Not ready yet:")) + ` ` + htmlText.Replace(h.Reason) + `</p>`)
					}
				}
				b.WriteString("\n    ")
				if p.FieldedHindrances() {
					b.WriteString(`<p class="warning">` + htmlText.Replace(l.translate("Not ready yet: see the roll-out record below.")) + ` <a href="#rollout">` +
						htmlText.Replace(l.translate("Roll-out record")) + `</a></p>`)
				}
			}
			typed := ""
			if p.SubmitPhase == ph.Phase {
				typed = htmlText.Replace(p.SubmitText)
			}
			b.WriteString("\n    \n    <form method=\"post\" action=\"/programmes/" + id + "/phases/" + htmlText.Replace(phase) + "/submit\">\n      <input type=\"hidden\" name=\"csrf\" value=\"" +
				csrfValue + "\">\n      \n      ")
			if parts := p.PartsOf(ph.Phase); len(parts) > 0 {
				for _, part := range parts {
					b.WriteString(`<label>` + htmlText.Replace(l.translate(part.Label)))
					if part.Optional {
						b.WriteString(` <small class="muted">` + htmlText.Replace(l.translate("(optional)")) + `</small>`)
					}
					b.WriteString(` <textarea name="parts.` + htmlText.Replace(part.Key) + `" rows="3" maxlength="20000"`)
					if !part.Optional {
						b.WriteString(` required`)
					}
					b.WriteString(`>` + htmlText.Replace(part.Value) + `</textarea></label>`)
					fieldError(&b, part.Error)
				}
				b.WriteString("\n      ")
			} else if ph.Phase == "rollout" && st.RolloutChecks {
				b.WriteString(`<p class="muted">` + htmlText.Replace(l.translate("The result is composed from the briefings and the conflicts with their resolutions; add notes if you like.")) +
					"</p>\n      <label>" + htmlText.Replace(l.translate("Notes")) + ` <textarea name="result" rows="3" maxlength="20000">` + typed + "</textarea></label>\n      ")
			} else {
				b.WriteString(`<label>` + htmlText.Replace(l.translate("Results")) + ` <textarea name="result" rows="3" required maxlength="20000">` + typed + `</textarea></label>`)
			}
			b.WriteString("\n      ")
			if p.SubmitPhase == ph.Phase {
				fieldError(&b, p.FieldError("result"))
			}
			b.WriteString("\n      <button type=\"submit\">" + htmlText.Replace(l.translate("Submit phase")) + "</button>\n    </form>\n  ")
		}
		b.WriteString("\n  ")
		if p.IsCommittee && ph.Status == "submitted" && active {
			c, err := l.confirm("id", "approve-"+phase, "csrf", csrf, "action", "/programmes/"+id+"/phases/"+phase+"/approve", "label", "Approve",
				"name", l.translate(phaseTitle(phase)), "consequence", approveConsequence)
			if err != nil {
				return "", err
			}
			mine := p.DecisionPhase == ph.Phase
			b.WriteString("\n    " + string(c.HTML()) + "\n    <form method=\"post\" action=\"/programmes/" + id + "/phases/" + htmlText.Replace(phase) +
				"/reject\">\n      <input type=\"hidden\" name=\"csrf\" value=\"" + csrfValue + "\">\n      <label>" + htmlText.Replace(l.translate("What to rework")) +
				` <textarea name="comment" rows="2" required`)
			if mine && p.FieldError("comment") != "" {
				b.WriteString(` aria-invalid="true"`)
			}
			b.WriteString(`>`)
			if mine {
				b.WriteString(htmlText.Replace(p.DecisionComment))
			}
			b.WriteString(`</textarea></label>`)
			if mine {
				fieldError(&b, p.FieldError("comment"))
			}
			b.WriteString("\n      <button type=\"submit\" class=\"secondary\">" + htmlText.Replace(l.translate("Reject")) + "</button>\n    </form>\n  ")
		}
		b.WriteString("\n  </td>\n</tr>\n")
	}
	return template.HTML(b.String()), nil
}
