package web

import (
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/kamflow/kamflow/store"
)

// notificationOpen marks the message read and goes to the page it is
// about. Only the recipient's own reading counts; an admin looking at
// someone else's message leaves it unread for them.
func (s *Server) notificationOpen(c echo.Context) error {
	n, err := s.markRead(c)
	if err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, localLink(n.Link, "/notifications"))
}

// notificationMarkRead marks one message read and shows the list again.
func (s *Server) notificationMarkRead(c echo.Context) error {
	if _, err := s.markRead(c); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/notifications?done=read")
}

// notificationsMarkAllRead marks all the user's messages read.
func (s *Server) notificationsMarkAllRead(c echo.Context) error {
	if err := s.opts.Store.MarkNotificationsRead(c.Request().Context(), currentUser(c).Email, 0, s.opts.Now()); err != nil {
		return serverError(err)
	}
	return c.Redirect(http.StatusSeeOther, "/notifications?done=all-read")
}

func (s *Server) markRead(c echo.Context) (*store.Notification, error) {
	id, err := idParam(c, "id")
	if err != nil {
		return nil, err
	}
	ctx := c.Request().Context()
	n, err := s.opts.Store.NotificationByID(ctx, id)
	if err != nil {
		return nil, storeError(err, "notification")
	}
	if u := currentUser(c); strings.EqualFold(n.Recipient, u.Email) {
		if err := s.opts.Store.MarkNotificationsRead(ctx, u.Email, n.ID, s.opts.Now()); err != nil {
			return nil, serverError(err)
		}
	}
	return n, nil
}

// localLink is link when it is a path on this site, else fallback: a
// redirect never leaves kamflow.
func localLink(link, fallback string) string {
	if !strings.HasPrefix(link, "/") || strings.HasPrefix(link, "//") || strings.HasPrefix(link, "/\\") {
		return fallback
	}
	return link
}
