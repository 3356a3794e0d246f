import { Heading, Section, Text } from "@react-email/components";
import { z } from "zod";
import { paragraphs } from "../../format.js";
import { CtaButton, Layout } from "../../layout.js";
import { styles } from "../../styles.js";

export interface ProductUpdateProps {
  headline: string;
  /** Plain text; blank lines separate paragraphs. */
  body: string;
  ctaUrl?: string;
  /** Defaults to "Read more" when `ctaUrl` is set. */
  ctaLabel?: string;
}

export const productUpdateSchema = z.object({
  headline: z.string().trim().min(1),
  body: z.string().trim().min(1),
  ctaUrl: z.url({ protocol: /^https?$/ }).optional(),
  ctaLabel: z.string().trim().min(1).optional(),
});

export function ProductUpdate({ headline, body, ctaUrl, ctaLabel }: ProductUpdateProps) {
  const parts = paragraphs(body);
  return (
    <Layout preview={parts[0] ?? headline}>
      <Heading as="h1" style={styles.heading}>
        {headline}
      </Heading>
      {parts.map((p, i) => (
        <Text key={i} style={styles.text}>
          {p}
        </Text>
      ))}
      {ctaUrl ? (
        <Section style={styles.buttonRow}>
          <CtaButton href={ctaUrl}>{ctaLabel ?? "Read more"}</CtaButton>
        </Section>
      ) : null}
    </Layout>
  );
}
