// The administration chunk (./load.js): every admin screen and the texts of the admin
// areas, loaded the first time an administration page opens. A screen an area names with
// lazy('Name') (web/src/admin/areas/*.js) is imported and listed here; so is each
// web/src/i18n/admin-*.<language>.js (the contract test checks both).
import { addTexts } from '../i18n.js';
import { AccountScreen } from './account/account.js';
import { AgentGroupsScreen } from './account/agent-groups.js';
import { EstablishmentScreen } from './account/establishment.js';
import { UserScreen } from './account/user.js';
import { UsersScreen } from './account/users.js';
import { InvoicesScreen } from './billing/invoices.js';
import { BillingScreen } from './billing/overview.js';
import { PaymentMethodsScreen } from './billing/payment-methods.js';
import { SubscriptionScreen } from './billing/subscription.js';
import { ConnectScreen } from './channel-connect.js';
import { ChannelsScreen } from './channels-list.js';
import { CustomFieldsScreen } from './desk/custom-fields.js';
import { DepartmentsScreen } from './desk/departments.js';
import { QuickRepliesScreen } from './desk/quick-replies.js';
import { TagsScreen } from './desk/tags.js';
import { TemplatesScreen } from './desk/templates.js';
import { BotScreen } from './integrations/bot.js';
import { ContactsScreen } from './integrations/contacts.js';
import { IntegrationScreen } from './integrations/detail.js';
import { IntegrationsScreen } from './integrations/list.js';
import { ProfileScreen } from './profile.js';
import { AssignmentsScreen } from './settings/assignments-page.js';
import { ChannelScreen } from './settings/channel-page.js';
import enAdminAccount from '../i18n/admin-account.en.js';
import esAdminAccount from '../i18n/admin-account.es.js';
import ptAdminAccount from '../i18n/admin-account.pt.js';
import enAdminBilling from '../i18n/admin-billing.en.js';
import esAdminBilling from '../i18n/admin-billing.es.js';
import ptAdminBilling from '../i18n/admin-billing.pt.js';
import enAdminChannels from '../i18n/admin-channels.en.js';
import esAdminChannels from '../i18n/admin-channels.es.js';
import ptAdminChannels from '../i18n/admin-channels.pt.js';
import enAdminChat from '../i18n/admin-chat.en.js';
import esAdminChat from '../i18n/admin-chat.es.js';
import ptAdminChat from '../i18n/admin-chat.pt.js';
import enAdminDesk from '../i18n/admin-desk.en.js';
import esAdminDesk from '../i18n/admin-desk.es.js';
import ptAdminDesk from '../i18n/admin-desk.pt.js';
import enAdminInteg from '../i18n/admin-integ.en.js';
import esAdminInteg from '../i18n/admin-integ.es.js';
import ptAdminInteg from '../i18n/admin-integ.pt.js';
import enAdminKinds from '../i18n/admin-kinds.en.js';
import esAdminKinds from '../i18n/admin-kinds.es.js';
import ptAdminKinds from '../i18n/admin-kinds.pt.js';
import enAdminSettings from '../i18n/admin-settings.en.js';
import esAdminSettings from '../i18n/admin-settings.es.js';
import ptAdminSettings from '../i18n/admin-settings.pt.js';

export const SCREENS = {
  AccountScreen,
  AgentGroupsScreen,
  AssignmentsScreen,
  BillingScreen,
  BotScreen,
  ChannelScreen,
  ChannelsScreen,
  ConnectScreen,
  ContactsScreen,
  CustomFieldsScreen,
  DepartmentsScreen,
  EstablishmentScreen,
  IntegrationScreen,
  IntegrationsScreen,
  InvoicesScreen,
  PaymentMethodsScreen,
  ProfileScreen,
  QuickRepliesScreen,
  SubscriptionScreen,
  TagsScreen,
  TemplatesScreen,
  UserScreen,
  UsersScreen,
};

/** Adds the admin areas' texts to the console's catalogs. */
export function install() {
  addTexts({
    es: [esAdminAccount, esAdminBilling, esAdminChannels, esAdminChat, esAdminDesk, esAdminInteg, esAdminKinds, esAdminSettings],
    pt: [ptAdminAccount, ptAdminBilling, ptAdminChannels, ptAdminChat, ptAdminDesk, ptAdminInteg, ptAdminKinds, ptAdminSettings],
    en: [enAdminAccount, enAdminBilling, enAdminChannels, enAdminChat, enAdminDesk, enAdminInteg, enAdminKinds, enAdminSettings],
  });
}
