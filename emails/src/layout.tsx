import type { ReactNode } from "react";
import { Body, Container, Head, Hr, Html, Link, Preview, Text } from "@react-email/components";
import { PREFERENCES_HREF, UNSUBSCRIBE_HREF } from "./sentinels.js";
import { styles } from "./styles.js";

export interface LayoutProps {
  /** The inbox preview line. */
  preview: string;
  /**
   * Transactional mail (a verification, an operator alert) carries no unsubscribe or preferences
   * links: the engine sends it regardless of subscription state and supplies no URLs for them.
   */
  transactional?: boolean;
  children: ReactNode;
}

/**
 * The shared frame of the built-in templates. The footer's unsubscribe and preferences links point at
 * sentinel hrefs that the engine replaces with per-recipient signed URLs at send time.
 */
export function Layout({ preview, transactional = false, children }: LayoutProps) {
  return (
    <Html lang="en">
      <Head />
      <Preview>{preview}</Preview>
      <Body style={styles.body}>
        <Container style={styles.container}>
          {children}
          <Hr style={styles.hr} />
          {transactional ? (
            <Text style={styles.footer}>You received this email because of activity on your account.</Text>
          ) : (
            <Text style={styles.footer}>
              Don&apos;t want these emails?{" "}
              <Link href={UNSUBSCRIBE_HREF} style={styles.footerLink}>
                Unsubscribe
              </Link>{" "}
              or{" "}
              <Link href={PREFERENCES_HREF} style={styles.footerLink}>
                manage preferences
              </Link>
              .
            </Text>
          )}
        </Container>
      </Body>
    </Html>
  );
}

/** A call-to-action link styled as a button. */
export function CtaButton({ href, children }: { href: string; children: ReactNode }) {
  return (
    <Link href={href} style={styles.button}>
      {children}
    </Link>
  );
}
