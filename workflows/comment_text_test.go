package workflows

import (
	"reflect"
	"testing"
)

func TestReminderTexts(t *testing.T) {
	for key, want := range map[string]*CommentText{
		"before-168h": {Key: TextReminderBefore, Args: []string{"168"}},
		"overdue-0":   {Key: TextOverdueNotice, Args: []string{"0"}},
		"overdue-12":  {Key: TextOverdueNotice, Args: []string{"12"}},
		"something":   nil,
	} {
		if got := reminderText(key); !reflect.DeepEqual(got, want) {
			t.Errorf("reminderText(%q) = %+v, want %+v", key, got, want)
		}
	}
}
