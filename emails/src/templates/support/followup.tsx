import { Heading, Section, Text } from "@react-email/components";
import { z } from "zod";
import { EmailAction } from "../../action.js";
import { Layout } from "../../layout.js";
import { HOSTED_ANSWER_HREF } from "../../sentinels.js";
import { styles } from "../../styles.js";

export interface SupportFollowupProps {
  ticketId: string;
}

export const supportFollowupSchema = z.object({
  ticketId: z.string().trim().min(1),
});

/** The event both answer buttons record. */
export const SUPPORT_FOLLOWUP_ANSWERED = "support.followup_answered";

export function SupportFollowup({ ticketId }: SupportFollowupProps) {
  return (
    <Layout preview={`Quick question about ticket #${ticketId}`}>
      <Heading as="h1" style={styles.heading}>
        Did we fix it?
      </Heading>
      <Text style={styles.text}>
        We recently resolved your support ticket #{ticketId}. Is everything working the way it should now?
      </Text>
      <Section style={styles.buttonRow}>
        <EmailAction
          event={SUPPORT_FOLLOWUP_ANSWERED}
          properties={{ answer: "yes" }}
          href={HOSTED_ANSWER_HREF}
          style={styles.secondaryButton}
        >
          Yes, all sorted
        </EmailAction>{" "}
        <EmailAction
          event={SUPPORT_FOLLOWUP_ANSWERED}
          properties={{ answer: "no" }}
          href={HOSTED_ANSWER_HREF}
          style={styles.secondaryButton}
        >
          No, still broken
        </EmailAction>
      </Section>
      <Text style={styles.muted}>
        One click records your answer. You can tell us more on the page that opens, but you don&apos;t have to.
      </Text>
    </Layout>
  );
}
