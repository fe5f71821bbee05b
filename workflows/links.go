package workflows

import "fmt"

// The pages in kamflow a notification leads to, as paths under the base
// URL: the mail's link and the notification's "Open" go there. The web
// package's test checks each against its routes.

// ProgrammeLink is a programme's page, at a phase's section when phase is set.
func ProgrammeLink(programmeID uint, phase Phase) string {
	if phase == "" {
		return fmt.Sprintf("/programmes/%d", programmeID)
	}
	return fmt.Sprintf("/programmes/%d#phase-%s", programmeID, phase)
}

// KeyAccountLink is a key account's page, at section when it is set.
func KeyAccountLink(keyAccountID uint, section string) string {
	if section == "" {
		return fmt.Sprintf("/key-accounts/%d", keyAccountID)
	}
	return fmt.Sprintf("/key-accounts/%d#%s", keyAccountID, section)
}

// PlanLink is a key account's plan.
func PlanLink(keyAccountID uint) string { return fmt.Sprintf("/key-accounts/%d/plan", keyAccountID) }

// WorkshopLink is a workshop's page.
func WorkshopLink(workshopID uint) string { return fmt.Sprintf("/workshops/%d", workshopID) }

// ReviewLink is a review's page.
func ReviewLink(reviewID uint) string { return fmt.Sprintf("/reviews/%d", reviewID) }

// JourFixeLink is a jour fixe's page.
func JourFixeLink(jourFixeID uint) string { return fmt.Sprintf("/jour-fixes/%d", jourFixeID) }

// TrainingSessionLink is a training session's page (HR's).
func TrainingSessionLink(sessionID uint) string {
	return fmt.Sprintf("/training/sessions/%d", sessionID)
}

// MyWorkLink is the recipient's own list of open work.
const MyWorkLink = "/my-work"
