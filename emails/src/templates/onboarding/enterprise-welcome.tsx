import { Heading, Section, Text } from "@react-email/components";
import { z } from "zod";
import { Layout } from "../../layout.js";
import { styles } from "../../styles.js";

export interface EnterpriseWelcomeProps {
  firstName?: string;
}

export const enterpriseWelcomeSchema = z.object({
  firstName: z.string().optional(),
});

const steps: ReadonlyArray<readonly [string, string]> = [
  ["Invite your team", "Add admins first so they can set up groups and permissions for everyone else."],
  ["Connect single sign-on", "Point your identity provider at your workspace so people sign in with the account they already have."],
  ["Bring your data across", "Import from a CSV export or connect an existing tool — most teams are done in an afternoon."],
];

export function EnterpriseWelcome({ firstName }: EnterpriseWelcomeProps) {
  const name = firstName?.trim();
  return (
    <Layout preview="Three steps to get your whole team up and running">
      <Heading as="h1" style={styles.heading}>
        Getting your team set up
      </Heading>
      <Text style={styles.text}>{name ? `Hi ${name},` : "Hi there,"}</Text>
      <Text style={styles.text}>
        Your workspace is ready. These three steps get the whole team on board:
      </Text>
      <Section>
        {steps.map(([title, detail], i) => (
          <Text key={title} style={styles.text}>
            <strong>
              {i + 1}. {title}.
            </strong>{" "}
            {detail}
          </Text>
        ))}
      </Section>
      <Text style={styles.text}>
        Stuck on any of them? Reply to this email — a person on our team reads every message and will help you
        through it.
      </Text>
    </Layout>
  );
}
