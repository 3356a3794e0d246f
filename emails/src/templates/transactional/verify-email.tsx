import { Heading, Link, Section, Text } from "@react-email/components";
import { z } from "zod";
import { CtaButton, Layout } from "../../layout.js";
import { styles } from "../../styles.js";

export interface VerifyEmailProps {
  /** May be empty: the greeting falls back to "Hi there". */
  firstName: string;
  verifyUrl: string;
}

export const verifyEmailSchema = z.object({
  firstName: z.string(),
  verifyUrl: z.url({ protocol: /^https?$/ }),
});

export function VerifyEmail({ firstName, verifyUrl }: VerifyEmailProps) {
  const name = firstName.trim();
  return (
    <Layout preview="Confirm your email address to finish setting up your account" transactional>
      <Heading as="h1" style={styles.heading}>
        Verify your email address
      </Heading>
      <Text style={styles.text}>{name ? `Hi ${name},` : "Hi there,"}</Text>
      <Text style={styles.text}>
        Thanks for signing up. Confirm that this is your email address and your account is ready to use.
      </Text>
      <Section style={styles.buttonRow}>
        <CtaButton href={verifyUrl}>Verify email address</CtaButton>
      </Section>
      <Text style={styles.muted}>
        Button not working? Paste this link into your browser:{" "}
        <Link href={verifyUrl} style={styles.link}>
          {verifyUrl}
        </Link>
      </Text>
      <Text style={styles.muted}>If you didn&apos;t create an account, you can ignore this email.</Text>
    </Layout>
  );
}
