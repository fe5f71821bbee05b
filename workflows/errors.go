package workflows

import (
	"errors"

	"go.temporal.io/sdk/temporal"
)

// Application error types an update validator rejects with; the web maps
// them to 403, 409 and 422.
const (
	ErrTypeForbidden = "Forbidden"
	ErrTypeConflict  = "Conflict"
	ErrTypeInvalid   = "Invalid"
)

func forbidden(msg string) error {
	return temporal.NewNonRetryableApplicationError(msg, ErrTypeForbidden, nil)
}

func conflict(msg string) error {
	return temporal.NewNonRetryableApplicationError(msg, ErrTypeConflict, nil)
}

// invalid names the offending field in the error's details.
func invalid(field, msg string) error {
	return temporal.NewNonRetryableApplicationError(msg, ErrTypeInvalid, nil, field)
}

// RejectionOf extracts the type, message and (for Invalid) field of a
// validator's rejection; ok is false for any other error.
func RejectionOf(err error) (errType, message, field string, ok bool) {
	var appErr *temporal.ApplicationError
	if !errors.As(err, &appErr) {
		return "", "", "", false
	}
	switch appErr.Type() {
	case ErrTypeForbidden, ErrTypeConflict, ErrTypeInvalid:
	default:
		return "", "", "", false
	}
	if appErr.HasDetails() {
		_ = appErr.Details(&field)
	}
	return appErr.Type(), appErr.Message(), field, true
}
