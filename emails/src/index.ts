export {
  ACTION_EVENT_ATTRIBUTE,
  ACTION_PROPERTIES_ATTRIBUTE,
  HOSTED_ANSWER_HREF,
  PREFERENCES_HREF,
  UNSUBSCRIBE_HREF,
} from "./sentinels.js";
export { EmailAction, type ActionProperties, type ActionScalar, type EmailActionProps } from "./action.js";
export { CtaButton, Layout, type LayoutProps } from "./layout.js";
export { styles } from "./styles.js";
export { renderHtml } from "./render.js";
export {
  DuplicateTemplateError,
  TemplatePropsError,
  defineTemplate,
  getTemplate,
  listTemplates,
  registerTemplate,
  unregisterTemplate,
  renderElement,
  renderTemplate,
  templates,
  validateTemplateProps,
  type RenderedEmail,
  type TemplateCategory,
  type TemplateDefinition,
  type TemplateFor,
  type TemplateKey,
  type TemplateProps,
  type TemplatePropsArg,
  type TemplatePropsIssue,
  type TemplatePropsValidation,
} from "./registry.js";
export { VerifyEmail, type VerifyEmailProps } from "./templates/transactional/verify-email.js";
export { CsmAlert, type CsmAlertProps } from "./templates/transactional/csm-alert.js";
export { SupportAlert, type SupportAlertProps } from "./templates/transactional/support-alert.js";
export { ConciergeIntro, type ConciergeIntroProps } from "./templates/onboarding/concierge-intro.js";
export { EnterpriseWelcome, type EnterpriseWelcomeProps } from "./templates/onboarding/enterprise-welcome.js";
export {
  SUPPORT_FOLLOWUP_ANSWERED,
  SupportFollowup,
  type SupportFollowupProps,
} from "./templates/support/followup.js";
export { BackInStock, type BackInStockProps } from "./templates/ecommerce/back-in-stock.js";
export { ProductUpdate, type ProductUpdateProps } from "./templates/marketing/product-update.js";
