package activities

import (
	"context"
	"fmt"

	historypb "go.temporal.io/api/history/v1"
	"go.temporal.io/sdk/converter"

	"github.com/kamflow/kamflow/store"
	"github.com/kamflow/kamflow/workflows"
)

// RebuildProgramme applies every programme event recorded in a workflow's
// history to st, in history order, and returns how many it found. Applied
// to an empty database it rebuilds the programme's projection; applied to
// a live one it changes nothing, since each event is written once.
func RebuildProgramme(ctx context.Context, st *store.Store, h *historypb.History) (int, error) {
	dc := converter.GetDefaultDataConverter()
	n := 0
	for _, ev := range h.GetEvents() {
		attrs := ev.GetActivityTaskScheduledEventAttributes()
		if attrs == nil || attrs.GetActivityType().GetName() != workflows.ActivityRecordProgrammeEvent {
			continue
		}
		var pe workflows.ProgrammeEvent
		if err := dc.FromPayloads(attrs.GetInput(), &pe); err != nil {
			return n, fmt.Errorf("decode event %d of the history: %w", ev.GetEventId(), err)
		}
		if err := st.ApplyProgrammeEvent(ctx, ProgrammeSnapshot(pe)); err != nil {
			return n, err
		}
		n++
	}
	return n, nil
}
