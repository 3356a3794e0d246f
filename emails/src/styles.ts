import type { CSSProperties } from "react";

/**
 * Inline styles shared by the built-in templates. Plain objects rather than Tailwind: the Tailwind
 * component compiles CSS on every render, which costs far more than the rest of the render.
 */
const font =
  "-apple-system, BlinkMacSystemFont, 'Segoe UI', Roboto, Helvetica, Arial, sans-serif";

export const styles = {
  body: { backgroundColor: "#f4f4f5", margin: 0, padding: "24px 0", fontFamily: font },
  container: {
    backgroundColor: "#ffffff",
    border: "1px solid #e4e4e7",
    borderRadius: "8px",
    margin: "0 auto",
    maxWidth: "560px",
    padding: "32px",
  },
  heading: { color: "#18181b", fontSize: "22px", fontWeight: 600, lineHeight: "30px", margin: "0 0 16px" },
  text: { color: "#3f3f46", fontSize: "15px", lineHeight: "24px", margin: "0 0 16px" },
  muted: { color: "#71717a", fontSize: "13px", lineHeight: "20px", margin: "0 0 8px" },
  link: { color: "#2563eb", textDecoration: "underline" },
  buttonRow: { margin: "24px 0", textAlign: "center" },
  button: {
    backgroundColor: "#18181b",
    borderRadius: "6px",
    color: "#ffffff",
    display: "inline-block",
    fontSize: "15px",
    fontWeight: 600,
    lineHeight: "20px",
    padding: "12px 20px",
    textDecoration: "none",
  },
  secondaryButton: {
    backgroundColor: "#ffffff",
    border: "1px solid #d4d4d8",
    borderRadius: "6px",
    color: "#18181b",
    display: "inline-block",
    fontSize: "15px",
    fontWeight: 600,
    lineHeight: "20px",
    margin: "0 4px",
    padding: "11px 20px",
    textDecoration: "none",
  },
  table: { borderCollapse: "collapse", width: "100%", margin: "0 0 16px" },
  cellLabel: { color: "#71717a", fontSize: "14px", padding: "6px 12px 6px 0", verticalAlign: "top", whiteSpace: "nowrap" },
  cellValue: { color: "#18181b", fontSize: "14px", padding: "6px 0", verticalAlign: "top" },
  hr: { border: "none", borderTop: "1px solid #e4e4e7", margin: "24px 0 16px" },
  footer: { color: "#a1a1aa", fontSize: "12px", lineHeight: "18px", margin: "0", textAlign: "center" },
  footerLink: { color: "#71717a", textDecoration: "underline" },
} satisfies Record<string, CSSProperties>;
