/**
 * The report's only script: reads the JSON data block, then filters (status, route), searches, sorts and draws
 * rows a page at a time with DOM calls and textContent (never innerHTML), so no value from the data can become
 * markup. Plain ES2017 in a string: it runs in the browser, not in Node.
 */
export const SCRIPT = `(function(){'use strict';
var D=JSON.parse(document.getElementById('hps-data').textContent);
var PAGE=200,plan=D.kind==='plan';
var coll=new Intl.Collator(undefined,{sensitivity:'base',numeric:true});
var T=D.table;
var rows=D.rows.map(function(a,i){var dn=T[a[3]]?a[2]+','+T[a[3]]:a[2];return{i:i,name:a[0],upn:a[1],dn:dn,status:T[a[4]],rank:D.ranks[a[4]],reason:T[a[5]],distance:a[6],route:T[a[7]],routeWhy:T[a[8]],action:T[a[9]],result:T[a[10]],src:a[11]||null,cloud:a[12]||null,srcNote:T[a[13]],cloudNote:T[a[14]],diff:a[15]||null,hay:(a[0]+' '+a[1]+' '+dn+' '+T[a[5]]).toLowerCase()};});
var st={status:{},route:{},q:'',sort:'status',limit:PAGE};
function boxes(sel,into){document.querySelectorAll(sel).forEach(function(b){into[b.value]=b.checked;b.addEventListener('change',function(){into[b.value]=b.checked;st.limit=PAGE;draw();});});}
boxes('input[name=status]',st.status);boxes('input[name=route]',st.route);
var q=document.getElementById('q'),timer;
q.addEventListener('input',function(){clearTimeout(timer);timer=setTimeout(function(){st.q=q.value.trim().toLowerCase();st.limit=PAGE;draw();},120);});
var sortSel=document.getElementById('sort');sortSel.addEventListener('change',function(){st.sort=sortSel.value;draw();});
document.getElementById('more').addEventListener('click',function(){st.limit+=PAGE;draw();});
var showSync=document.getElementById('show-in-sync');
if(showSync)showSync.addEventListener('click',function(){var b=document.querySelector('input[name=status][value="in-sync"]');if(b){b.checked=true;st.status['in-sync']=true;}draw();});
function byName(a,b){return coll.compare(a.name,b.name)||a.i-b.i;}
var sorts={name:byName,status:function(a,b){return a.rank-b.rank||byName(a,b);},distance:function(a,b){var x=a.distance===null?-1:a.distance,y=b.distance===null?-1:b.distance;return y-x||a.rank-b.rank||byName(a,b);}};
function keep(r){if(!st.status[r.status]||!st.route[r.route])return false;return !st.q||r.hay.indexOf(st.q)!==-1;}
function el(tag,cls,text){var e=document.createElement(tag);if(cls)e.className=cls;if(text!==undefined&&text!==null)e.textContent=String(text);return e;}
function pic(uri,note,label,who){var f=el('figure','pic');if(uri){var im=el('img');im.src=uri;im.alt=label+' photo of '+who;im.width=64;im.height=64;f.appendChild(im);}else{f.appendChild(el('div','ph',note||'\u2014'));}f.appendChild(el('figcaption',null,label));return f;}
function heat(diff){var f=el('figure','pic'),c=el('canvas');c.width=diff.side;c.height=diff.side;var g=c.getContext('2d');
for(var k=0;k<diff.cells.length;k++){var v=Math.max(0,Math.min(1,diff.cells[k]));g.fillStyle='rgba(214,40,40,'+(0.08+0.92*v).toFixed(3)+')';g.fillRect(k%diff.side,Math.floor(k/diff.side),1,1);}
c.setAttribute('role','img');c.setAttribute('aria-label','where the pictures differ');f.appendChild(c);f.appendChild(el('figcaption',null,'differs'));return f;}
function row(r){var tr=el('tr');tr.setAttribute('data-status',r.status);tr.setAttribute('data-route',r.route);
var p=el('td','photos'),ps=el('div','pics');ps.appendChild(pic(r.src,r.srcNote,'on-prem',r.name));ps.appendChild(pic(r.cloud,r.cloudNote,'cloud',r.name));if(r.diff)ps.appendChild(heat(r.diff));p.appendChild(ps);tr.appendChild(p);
var u=el('td','user');u.appendChild(el('div','name',r.name));if(r.upn&&r.upn!==r.name)u.appendChild(el('div','upn',r.upn));var dn=el('div','dn');r.dn.split(',').forEach(function(part,k,all){dn.appendChild(document.createTextNode(k<all.length-1?part+',':part));if(k<all.length-1)dn.appendChild(document.createElement('wbr'));});u.appendChild(dn);tr.appendChild(u);
var s=el('td','status');s.appendChild(el('span','badge',r.status));tr.appendChild(s);
tr.appendChild(el('td','dist',r.distance===null?'':r.distance.toFixed(3)));
var ro=el('td','route',r.route);ro.title=r.routeWhy;tr.appendChild(ro);
if(plan){var a=el('td','action');a.appendChild(el('div','act',r.action));if(r.result)a.appendChild(el('div','res-'+r.result,r.result));tr.appendChild(a);}
tr.appendChild(el('td','reason',r.reason));return tr;}
var body=document.getElementById('rows'),shown=document.getElementById('shown'),more=document.getElementById('more');
function draw(){var list=rows.filter(keep).sort(sorts[st.sort]||sorts.status);var n=Math.min(list.length,st.limit);var frag=document.createDocumentFragment();
for(var k=0;k<n;k++)frag.appendChild(row(list[k]));body.textContent='';
if(list.length===0){var tr=el('tr'),td=el('td','empty','No user matches these filters.');td.colSpan=plan?7:6;tr.appendChild(td);frag.appendChild(tr);}
body.appendChild(frag);shown.textContent='Showing '+n.toLocaleString()+' of '+list.length.toLocaleString()+' matching users ('+rows.length.toLocaleString()+' in the report).';more.hidden=n>=list.length;
document.body.setAttribute('data-ready','1');}
draw();})();`;
