// The pages of this area (see ../pages.js for the fields of a page): the help desk's
// settings (issue 13, item 5), each for the role that may manage it.
import { lazy } from '../load.js';
import { can } from '../../session.js';

export const DESK_PAGES = [
  {
    path: '/admin/quick-replies',
    title: 'desk.qr.title',
    section: 'desk',
    order: 10,
    allowed: () => can('quick_replies.manage'),
    Screen: lazy('QuickRepliesScreen'),
  },
  {
    path: '/admin/departments',
    title: 'desk.dep.title',
    section: 'desk',
    order: 20,
    allowed: () => can('departments.manage'),
    Screen: lazy('DepartmentsScreen'),
  },
  {
    path: '/admin/custom-fields',
    title: 'desk.cf.title',
    section: 'desk',
    order: 30,
    allowed: () => can('custom_fields.manage'),
    Screen: lazy('CustomFieldsScreen'),
  },
  {
    path: '/admin/tags',
    title: 'desk.tag.title',
    section: 'desk',
    order: 40,
    allowed: () => can('tags.manage'),
    Screen: lazy('TagsScreen'),
  },
  {
    path: '/admin/templates',
    title: 'desk.tpl.title',
    section: 'desk',
    order: 50,
    allowed: () => can('templates.manage'),
    Screen: lazy('TemplatesScreen'),
  },
];
