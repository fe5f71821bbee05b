package web

import (
	"fmt"
	"net/http"
	"regexp"

	"github.com/labstack/echo/v4"
)

// relationshipFormKey is how a form of the contact matrix is named.
var relationshipFormKey = regexp.MustCompile(`^(contact|rel)-[1-9][0-9]{0,9}$`)

// relationshipFormFragment sends one form of the contact matrix when its box
// is first opened (htmx). Asked for as a page, it leads to the account page
// with that form open.
func (s *Server) relationshipFormFragment(c echo.Context) error {
	ka, err := s.keyAccountFor(c)
	if err != nil {
		return err
	}
	key := c.QueryParam("form")
	if !relationshipFormKey.MatchString(key) {
		return fieldError("form", "name the form as contact-<id> or rel-<id>")
	}
	if c.Request().Header.Get("HX-Request") != "true" {
		return c.Redirect(http.StatusSeeOther, fmt.Sprintf("/key-accounts/%d?form=%s#form-%s", ka.ID, key, key))
	}
	m, err := s.opts.Store.ContactMatrixOf(c.Request().Context(), ka, s.opts.Now(), untouchedAfter)
	if err != nil {
		return serverError(err)
	}
	f, counterpart, ok := relationshipFormOf(m, key)
	if !ok {
		return clientError(http.StatusNotFound, relationshipFormGone)
	}
	if err := s.fillRelationshipForm(c, f, counterpart); err != nil {
		return err
	}
	return s.renderFragment(c, http.StatusOK, "account.html", "relform", f)
}
