import { Heading, Text } from "@react-email/components";
import { z } from "zod";
import { formatTimestamp } from "../../format.js";
import { Layout } from "../../layout.js";
import { styles } from "../../styles.js";

export interface SupportAlertProps {
  ticketId: string;
  /** The customer's email, or their id when no email is known. */
  customerEmail: string;
  /** ISO timestamp of the customer's answer. */
  answeredAt: string;
}

export const supportAlertSchema = z.object({
  ticketId: z.string().min(1),
  customerEmail: z.string().min(1),
  answeredAt: z.string().min(1),
});

export function SupportAlert({ ticketId, customerEmail, answeredAt }: SupportAlertProps) {
  const rows: Array<[string, string]> = [
    ["Ticket", `#${ticketId}`],
    ["Customer", customerEmail],
    ["Answered", formatTimestamp(answeredAt)],
  ];
  return (
    <Layout preview={`${customerEmail} says ticket #${ticketId} is not fixed`} transactional>
      <Heading as="h1" style={styles.heading}>
        Reopen requested: ticket #{ticketId}
      </Heading>
      <Text style={styles.text}>
        The customer answered &quot;No, still broken&quot; to the follow-up email for this ticket. Please reopen it
        and get back to them.
      </Text>
      <table role="presentation" style={styles.table}>
        <tbody>
          {rows.map(([label, value]) => (
            <tr key={label}>
              <td style={styles.cellLabel}>{label}</td>
              <td style={styles.cellValue}>{value}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <Text style={styles.muted}>
        If they added a comment on the answer page, it arrives as a separate event shortly after the answer.
      </Text>
    </Layout>
  );
}
