// The connection flows of: twitter, email, app_store, play_store (see ./index.js).
// X connects through X's own authorisation (./twitter.js), email shows the DNS and SES
// setup its address needs (./email.js), the stores take their API key file (./stores.js).
import { EmailConnect, EmailDetails } from './email.js';
import { AppStoreConnect, PlayStoreConnect, StoreDetails } from './stores.js';
import { TwitterConnect, TwitterDetails } from './twitter.js';

export const OTHER_KINDS = {
  twitter: { Connect: TwitterConnect, Details: TwitterDetails },
  email: { Connect: EmailConnect, Details: EmailDetails },
  app_store: { Connect: AppStoreConnect, Details: StoreDetails },
  play_store: { Connect: PlayStoreConnect, Details: StoreDetails },
};
