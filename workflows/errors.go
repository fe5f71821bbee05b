package workflows

import (
	"errors"

	"go.temporal.io/sdk/temporal"
)

// Application error types an update validator rejects with; the web maps
// them to 403, 409, 422 and 404.
const (
	ErrTypeForbidden = "Forbidden"
	ErrTypeConflict  = "Conflict"
	ErrTypeInvalid   = "Invalid"
	// ErrTypeNotFound: the request names a customer, employee, measure or
	// action (by its ID in the URL) that this workflow does not know.
	ErrTypeNotFound = "NotFound"
	// ErrTypeNotReady: the workflow is still setting up what the request
	// acts on (a workshop being prepared); the same request succeeds in a
	// moment, so a caller may send it again.
	ErrTypeNotReady = "NotReady"
)

func forbidden(msg string) error {
	return temporal.NewNonRetryableApplicationError(msg, ErrTypeForbidden, nil)
}

func notReady(msg string) error {
	return temporal.NewNonRetryableApplicationError(msg, ErrTypeNotReady, nil)
}

func conflict(msg string) error {
	return temporal.NewNonRetryableApplicationError(msg, ErrTypeConflict, nil)
}

// conflictAt is conflict naming the field whose state stands in the way
// ("" for none), so a page shows the reason there.
func conflictAt(field, msg string) error {
	if field == "" {
		return conflict(msg)
	}
	return temporal.NewNonRetryableApplicationError(msg, ErrTypeConflict, nil, field)
}

// invalid names the offending field in the error's details.
func invalid(field, msg string) error {
	return temporal.NewNonRetryableApplicationError(msg, ErrTypeInvalid, nil, field)
}

// notFound names the unknown ID's field in the error's details, like invalid.
func notFound(field, msg string) error {
	return temporal.NewNonRetryableApplicationError(msg, ErrTypeNotFound, nil, field)
}

// RejectionOf extracts the type, message and (for Invalid, NotFound and a
// Conflict that names one) field of a validator's rejection; ok is false
// for any other error.
func RejectionOf(err error) (errType, message, field string, ok bool) {
	var appErr *temporal.ApplicationError
	if !errors.As(err, &appErr) {
		return "", "", "", false
	}
	switch appErr.Type() {
	case ErrTypeForbidden, ErrTypeConflict, ErrTypeInvalid, ErrTypeNotFound, ErrTypeNotReady:
	default:
		return "", "", "", false
	}
	if appErr.HasDetails() {
		_ = appErr.Details(&field)
	}
	return appErr.Type(), appErr.Message(), field, true
}
