/** The event vocabulary and template keys of the default app. */
export const Events = {
  USER_SIGNED_UP: "user.signed_up",
  USER_EMAIL_VERIFIED: "user.email_verified",
  USER_DELETED: "user.deleted",
  CSM_ASSIGNMENT_REQUESTED: "csm.assignment_requested",
  CSM_CONTACTED: "csm.contacted",
  MEETING_BOOKED: "meeting.booked",
  TICKET_RESOLVED: "ticket.resolved",
  TICKET_REOPENED: "ticket.reopened",
  SUPPORT_FOLLOWUP_ANSWERED: "support.followup_answered",
  SUPPORT_REOPEN_REQUESTED: "support.reopen_requested",
  PRODUCT_WAITLISTED: "product.waitlisted",
  PRODUCT_RESTOCKED: "product.restocked",
  ORDER_COMPLETED: "order.completed",
} as const;

export const Templates = {
  VERIFY_EMAIL: "transactional/verify-email",
  CONCIERGE_INTRO: "onboarding/concierge-intro",
  ENTERPRISE_WELCOME: "onboarding/enterprise-welcome",
  CSM_ALERT: "transactional/csm-alert",
  SUPPORT_FOLLOWUP: "support/followup",
  SUPPORT_ALERT: "transactional/support-alert",
  BACK_IN_STOCK: "ecommerce/back-in-stock",
  PRODUCT_UPDATE: "marketing/product-update",
} as const;
