import { Heading, Section, Text } from "@react-email/components";
import { z } from "zod";
import { CtaButton, Layout } from "../../layout.js";
import { styles } from "../../styles.js";

export interface BackInStockProps {
  sku: string;
  productName: string;
  /** Product page; without it the email carries no button. */
  productUrl?: string;
}

export const backInStockSchema = z.object({
  sku: z.string().trim().min(1),
  productName: z.string().trim().min(1),
  productUrl: z.url({ protocol: /^https?$/ }).optional(),
});

export function BackInStock({ sku, productName, productUrl }: BackInStockProps) {
  return (
    <Layout preview={`Good news: ${productName} is available again`}>
      <Heading as="h1" style={styles.heading}>
        {productName} is back in stock
      </Heading>
      <Text style={styles.text}>
        You asked us to let you know when the {productName} was available again — it is. Restocks tend to sell
        quickly, so don&apos;t wait too long if you still want one.
      </Text>
      {productUrl ? (
        <Section style={styles.buttonRow}>
          <CtaButton href={productUrl}>View {productName}</CtaButton>
        </Section>
      ) : null}
      <Text style={styles.muted}>Item reference: {sku}</Text>
      <Text style={styles.muted}>
        This is a one-off alert because you pressed &quot;notify me&quot;. We won&apos;t email you about this item
        again unless you ask.
      </Text>
    </Layout>
  );
}
