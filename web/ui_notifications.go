package web

import (
	"context"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/kamflow/kamflow/notice"
	"github.com/kamflow/kamflow/store"
)

type notificationsPage struct {
	Notifications []notificationRow
	Pager         pager
	// All is true for admins, who see every recipient's messages.
	All bool
	// FeedURL is shown once, right after a new feed link was made.
	FeedURL string
	HasFeed bool
	// Me is the reader's address: only her own messages can be marked read.
	Me     string
	Notice string
}

// notificationRow is a message with its subject and body in the
// reader's language (notice renders kamflow's; others stay as stored).
type notificationRow struct {
	store.Notification
	Subject, Body string
}

// Mine reports whether n is addressed to the reader.
func (p notificationsPage) Mine(n notificationRow) bool {
	return strings.EqualFold(n.Recipient, p.Me)
}

// notificationsPage shows the outbox — what was sent to whom and when —
// (admins see everyone's, others their own) and the user's calendar feed.
func (s *Server) notificationsPage(c echo.Context) error {
	return s.renderNotifications(c, "")
}

func (s *Server) renderNotifications(c echo.Context, feedURL string) error {
	u := currentUser(c)
	all := u.HasRole(store.RoleAdmin)
	recipient := u.Email
	if all {
		recipient = ""
	}
	hasFeed, err := s.opts.Store.HasCalendarToken(c.Request().Context(), u.ID)
	if err != nil {
		return serverError(err)
	}
	search := func(ctx context.Context, q string, p store.Page) ([]store.Notification, int64, error) {
		return s.opts.Store.SearchOutbox(ctx, recipient, q, p)
	}
	l, zone := language(c), s.readerZone(c)
	return renderList(s, c, "/notifications", "notifications.html", search, func(list []store.Notification, p pager) any {
		rows := make([]notificationRow, len(list))
		for i, n := range list {
			rows[i].Notification = n
			rows[i].Subject, rows[i].Body = notice.Notification(string(l), zone, n)
		}
		return notificationsPage{Notifications: rows, Pager: p, All: all, FeedURL: feedURL, HasFeed: hasFeed || feedURL != "",
			Me: u.Email, Notice: doneNotice(c)}
	})
}

// calendarFeedForm makes a new secret feed link (the old one stops working)
// and shows it once.
func (s *Server) calendarFeedForm(c echo.Context) error {
	token, err := s.opts.Store.NewCalendarToken(c.Request().Context(), currentUser(c).ID, s.opts.Now())
	if err != nil {
		return serverError(err)
	}
	answerShowsSecret(c, "/notifications")
	return s.renderNotifications(c, s.link("/calendar/"+token+".ics"))
}

// calendarFeedRevoke stops the user's feed link.
func (s *Server) calendarFeedRevoke(c echo.Context) error {
	if err := s.opts.Store.RevokeCalendarTokens(c.Request().Context(), currentUser(c).ID, s.opts.Now()); err != nil {
		return serverError(err)
	}
	return c.Redirect(http.StatusSeeOther, "/notifications")
}
